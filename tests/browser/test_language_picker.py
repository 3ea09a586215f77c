"""The booking form's language search in a browser: the names people use find the language (and
choose it when one match is exact), and a search that finds nothing says so."""

from __future__ import annotations

from tests.browser.conftest import Pages, check_page


def test_language_search_by_common_names_and_no_match(pages: Pages) -> None:
    booker = pages.login("booker")
    booker.goto(pages.base + "/book/")
    search = booker.get_by_label("Søk etter språk")
    select = booker.get_by_label("Språk", exact=True)
    for query, code in (("farsi", "pes"), ("sorani", "ckb"), ("kurmanji", "kmr"),
                        ("badini", "kmr"), ("kinesisk", "cmn"), ("tigrinja", "tir"),
                        ("dari", "prs")):
        search.fill(query)
        assert select.input_value() == code, query
        first = select.locator("option").nth(1)
        assert first.get_attribute("value") == code, query
    search.fill("")
    assert select.locator("option", has_text="Persisk (iransk) – pes").count() == 1
    assert select.locator("option", has_text="Iranian Persian").count() == 0
    no_match = booker.locator("[data-language-no-match]")
    assert no_match.is_hidden()
    search.fill("qwxz")
    no_match.wait_for(state="visible")
    assert "Ingen språk passer til «qwxz»" in no_match.inner_text()
    assert select.locator("option").count() == 1  # only "Velg språk"
    check_page(booker, "booker-language-no-match")
    search.fill("fars")
    assert no_match.is_hidden()
