"""The language table (`tolk.reference.languages`): one code per language for the register,
bookings, matching and statistics; bokmål names; search by the names people use."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from booking import demo as register_demo
from stats import demo as stats_demo
from tolk.reference.languages import (
    AMBIGUOUS_LANGUAGE,
    UNKNOWN_LANGUAGE,
    all_language_codes,
    bokmal_name,
    is_language_code,
    language_name,
    language_resolve,
    language_search,
    macrolanguage_members,
    offered_languages,
)


def _demo_register_languages() -> set[str]:
    text = register_demo.register_csv(today=dt.date(2026, 11, 1))
    return {row["language"] for row in csv.DictReader(io.StringIO(text))}


def test_every_language_of_the_demo_register_is_a_table_code() -> None:
    languages = _demo_register_languages()
    assert len(languages) > 70
    assert {code: language_resolve(code).code for code in languages} == {
        code: code for code in languages
    }
    # Persian is Persisk (pes) in the register as in the bookings and the statistics.
    assert "pes" in languages and "fas" not in languages


def test_the_statistics_demo_uses_the_table_codes() -> None:
    codes = list(stats_demo.languages())
    assert [code for code in codes if not is_language_code(code)] == []
    register = _demo_register_languages()
    # The languages the review found with no register interpreters only because of their code.
    for code in ("pes", "slv", "ful", "fat", "twi", "nus", "mlg"):
        assert code in codes and code in register


@pytest.mark.parametrize(
    ("given", "table_code"),
    [
        ("fas", "pes"), ("per", "pes"), ("fa", "pes"), ("FAS", "pes"), (" pes ", "pes"),
        ("prs", "prs"), ("zho", "cmn"), ("chi", "cmn"), ("zh", "cmn"), ("yue", "yue"),
        ("arb", "ara"), ("apc", "ara"), ("ajp", "ara"), ("ar", "ara"), ("ara", "ara"),
        ("swh", "swa"), ("als", "sqi"), ("gaz", "orm"), ("ekk", "est"), ("lvs", "lav"),
        ("uzn", "uzb"), ("msa", "zsm"), ("may", "zsm"), ("ind", "ind"), ("nor", "nob"),
        ("no", "nob"), ("fuf", "ful"), ("fuc", "ful"), ("ff", "ful"), ("twi", "twi"),
        ("fat", "fat"), ("plt", "mlg"), ("ger", "deu"), ("de", "deu"), ("ti", "tir"),
        ("scc", "srp"), ("kmr", "kmr"), ("ckb", "ckb"),
    ],
)
def test_codes_from_outside_resolve_to_the_table_code(given: str, table_code: str) -> None:
    match = language_resolve(given)
    assert (match.code, match.error) == (table_code, "")
    assert is_language_code(table_code)


@pytest.mark.parametrize(
    ("given", "candidates"),
    [("kur", ("ckb", "kmr", "sdh")), ("ku", ("ckb", "kmr", "sdh")), ("aka", ("fat", "twi")),
     ("hbs", ("bos", "cnr", "hrv", "srp"))],
)
def test_a_macrolanguage_split_in_the_register_is_ambiguous(
    given: str, candidates: tuple[str, ...]
) -> None:
    match = language_resolve(given)
    assert (match.code, match.error, match.candidates) == (None, AMBIGUOUS_LANGUAGE, candidates)
    assert "ckb" in language_resolve("kur").reason()


@pytest.mark.parametrize("given", ["", "xx", "qaa", "und", "mul", "zxx", "lat", "p3s", "fa s",
                                   "persisk", "1ab"])
def test_unknown_codes(given: str) -> None:
    match = language_resolve(given)
    assert (match.code, match.error) == (None, UNKNOWN_LANGUAGE)


def test_macrolanguage_membership_comes_from_iso_639_3() -> None:
    assert macrolanguage_members("fas") == ("pes", "prs")
    assert {"cmn", "yue"} <= set(macrolanguage_members("zho"))
    assert macrolanguage_members("kur") == ("ckb", "kmr", "sdh")
    assert {"arb", "apc", "arz"} <= set(macrolanguage_members("ara"))
    assert macrolanguage_members("nor") == ("nno", "nob")
    assert macrolanguage_members("aka") == ("fat", "twi")
    assert {"fuc", "fuf"} <= set(macrolanguage_members("ful"))
    assert macrolanguage_members("pes") == ()


def test_the_table_has_one_code_per_language() -> None:
    codes = set(all_language_codes())
    # A split macrolanguage is not a language of its own; a whole one replaces its members.
    assert {"pes", "prs", "cmn", "yue", "kmr", "ckb", "sdh", "ara", "ful", "twi", "fat"} <= codes
    assert not {"fas", "zho", "kur", "arb", "apc", "fuf", "aka", "nor"} & codes
    assert set(offered_languages()) <= codes


def test_a_bokmal_name_for_every_language_offered() -> None:
    offered = {*offered_languages(), *_demo_register_languages(), *stats_demo.languages()}
    missing = sorted(code for code in offered if not bokmal_name(code))
    assert missing == []
    english = {code: language_name(code, "en") for code in offered}
    assert all(english.values())


@pytest.mark.parametrize(
    ("code", "name"),
    [("pes", "persisk (iransk)"), ("prs", "dari"), ("kmr", "nordkurdisk (kurmanji)"),
     ("ckb", "sentralkurdisk (sorani)"), ("cmn", "mandarin (kinesisk)"), ("tir", "tigrinja"),
     ("ara", "arabisk"), ("yue", "kantonesisk (kinesisk)"), ("ful", "fulfulde (fula)")],
)
def test_bokmal_names(code: str, name: str) -> None:
    assert language_name(code, "nb") == name


def test_english_names_stay_english() -> None:
    assert language_name("pes", "en") == "Iranian Persian"
    assert language_name("ara", "en") == "Arabic"


@pytest.mark.parametrize(
    ("query", "first"),
    [("farsi", "pes"), ("Farsi", "pes"), ("persisk", "pes"), ("dari", "prs"),
     ("sorani", "ckb"), ("kurmanji", "kmr"), ("Kurmancî", "kmr"), ("badini", "kmr"),
     ("behdini", "kmr"), ("tigrinja", "tir"), ("tigrinya", "tir"), ("kinesisk", "cmn"),
     ("mandarin", "cmn"), ("kantonesisk", "yue"), ("fula", "ful"), ("pular", "ful"),
     ("twi", "twi"), ("fante", "fat"), ("malagasy", "mlg"), ("nuer", "nus"),
     ("slovensk", "slv"), ("pes", "pes"), ("fa", "pes"), ("per", "pes"), ("arabisk", "ara"),
     ("levantinsk", "ara"), ("kirundi", "run"), ("hazara", "haz")],
)
def test_search_by_common_names_and_spellings(query: str, first: str) -> None:
    found = language_search(query, offered_languages())
    assert found and found[0] == first


def test_search_finds_every_kurdish_and_nothing_for_nonsense() -> None:
    assert set(language_search("kurdisk", offered_languages())) == {"kmr", "ckb", "sdh"}
    assert language_search("xyzzy", offered_languages()) == []
    assert language_search("", ["ara", "tir"]) == ["ara", "tir"]


def test_search_ranks_by_weight_within_equal_matches() -> None:
    assert language_search("tigr", ["tig", "tir"], weight={"tir": 5}) == ["tir", "tig"]
    assert language_search("tigr", ["tig", "tir"], weight={"tig": 5}) == ["tig", "tir"]
