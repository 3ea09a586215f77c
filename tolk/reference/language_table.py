"""The language table's own data: what ISO 639-3 and CLDR do not say about interpreting in Norway.

Everything else (which codes exist, ISO 639-1 and 639-2/B aliases, retired codes, which individual
languages belong to which macrolanguage) comes from the ISO 639-3 tables as `python-iso639` ships
them; names come from CLDR (`langcodes`) and the iso-codes translations (`pycountry`). This module
holds only the choices that are ours, as data (`tolk.reference.languages` applies them):

- `SPLIT_MACROLANGUAGES`: the macrolanguages whose members are separate languages here, because
  the register tests them separately or the need is counted separately (Persian: Iranian Persian
  and Dari; Kurdish: Kurmanji, Sorani and Southern Kurdish; ...). The value is the member that the
  macrolanguage's own code means in Norwegian use ("persisk" is Iranian Persian, so `fas` is
  `pes`), or None when it could mean several: then a file with that code is asked which one
  (`ambiguous_language`), never guessed.
- Every other macrolanguage is one language in the table, its members folded into it: the register
  tests Arabic, Albanian, Swahili, Oromo, ... as one language each, so an entry coded `arb` or
  `apc` is an Arabic (`ara`) entry. The booking's "dialect or variant" field carries the variety.
- `OFFERED`: the languages the booking form and the language search offer even when the register
  has nobody for them (need that goes unasked is need that goes uncounted). Languages that only
  appear in the register are offered too.
- `NB_NAMES`: bokmål names where CLDR has none, or where the register's usage differs from
  CLDR's ("sentralkurdisk (sorani)").
- `SEARCH_TERMS`: the names people type: endonyms, other spellings, older Norwegian names.

The law-facing rule: a register entry is for the language that was tested, and it counts for
exactly the one table language its code resolves to. A qualification never counts for a sibling in
the same macrolanguage (a Persisk entry does not make anyone qualified for Dari, nor a Kurmanji
entry for Sorani); the register tests each on its own.
"""

from __future__ import annotations

SPLIT_MACROLANGUAGES: dict[str, str | None] = {
    "fas": "pes",  # persisk = Iranian Persian (farsi); Dari (prs) is its own register language
    "zho": "cmn",  # kinesisk = Mandarin; Cantonese (yue), Hakka, Min Nan, ... on their own
    "nor": "nob",  # norsk = bokmål
    "msa": "zsm",  # malayisk = Standard Malay; Indonesian (ind) is its own language
    "kur": None,  # Kurmanji (kmr), Sorani (ckb), Southern Kurdish (sdh): say which
    "aka": None,  # Akan: Twi (twi) or Fanti (fat)
    "hbs": None,  # Bosnian, Croatian, Montenegrin, Serbian
    "syr": None,  # Assyrian (aii) or Chaldean (cld) Neo-Aramaic
    "man": None,  # Mandinka (mnk), Maninka, ... of the Manding languages
}

# fmt: off
OFFERED: tuple[str, ...] = (
    # the most requested (IMDi) and the demo register's languages
    "ara", "tir", "som", "pol", "prs", "pes", "ckb", "kmr", "sdh", "pus", "urd", "ukr", "rus",
    "lit", "ron", "tha", "vie", "tur", "spa", "fra", "por", "eng", "amh", "orm", "swa", "mya",
    "cmn", "yue", "tam", "bos", "srp", "hrv", "sqi", "hun", "lav", "est", "bul", "ces", "slk",
    "deu", "ita", "ell", "hin", "pan", "ben", "nep", "tgl", "ind", "zsm", "jpn", "kor", "mon",
    "uzb", "tgk", "kat", "hye", "aze", "che", "kin", "run", "lin", "lug", "wol", "hau", "yor",
    "sin", "khm", "ksw", "cnh", "rhg", "heb", "fin", "sme", "din", "tig", "lao",
    # further languages of the national statistics and of refugees' countries of origin
    "slv", "mkd", "kaz", "kir", "mfz", "nus", "aii", "bal", "ibo", "ful", "mlg", "zul", "xho",
    "sna", "nya", "bem", "tsn", "sot", "ewe", "twi", "fat", "ach", "luo", "kam", "kik", "mas",
    "haz", "uig", "bod", "tuk", "bel", "kab", "snk", "sus", "mnk", "kri", "aar", "sid", "guj",
    "mal", "tel", "syl", "lub", "tzm", "inh", "nld", "cnr", "hak", "nan", "kon", "lua",
)
# fmt: on

NB_NAMES: dict[str, str] = {
    "pes": "persisk (iransk)",
    "prs": "dari",
    "kmr": "nordkurdisk (kurmanji)",
    "ckb": "sentralkurdisk (sorani)",
    "sdh": "sørkurdisk",
    "cmn": "mandarin (kinesisk)",
    "yue": "kantonesisk (kinesisk)",
    "hak": "hakka (kinesisk)",
    "nan": "min nan (kinesisk)",
    "zsm": "malayisk",
    "tgl": "tagalog",
    "run": "kirundi",
    "lug": "luganda",
    "ksw": "karen (s'gaw)",
    "cnh": "chin (hakha)",
    "din": "dinka",
    "tig": "tigré",
    "mfz": "mabaan",
    "aii": "assyrisk nyarameisk",
    "ach": "acholi",
    "luo": "luo (dholuo)",
    "haz": "hazaragi",
    "snk": "soninke",
    "sus": "susu",
    "mnk": "mandinka",
    "kri": "krio",
    "syl": "sylheti",
    "inh": "ingusjisk",
    "cnr": "montenegrinsk",
    "ful": "fulfulde (fula)",
    "mlg": "gassisk (malagassisk)",
    "kon": "kikongo",
    "lua": "tshiluba",
    "nus": "nuer",
    "twi": "twi (akan)",
    "fat": "fanti (akan)",
}

SEARCH_TERMS: dict[str, tuple[str, ...]] = {
    "pes": ("farsi", "persisk", "persian", "iransk", "iranian"),
    "prs": ("dari", "afghansk persisk", "afghan persian", "farsi-ye dari"),
    "haz": ("hazara", "azargi"),
    "kmr": ("kurmanji", "kurmandji", "kurmancî", "badini", "bahdini", "behdini", "kurdisk",
            "kurdish"),
    "ckb": ("sorani", "soranî", "kurdisk", "kurdish"),
    "sdh": ("kalhori", "feyli", "pehlewani", "kurdisk", "kurdish"),
    "cmn": ("kinesisk", "mandarin", "putonghua", "chinese", "chinese mandarin"),
    "yue": ("cantonese", "guangdonghua"),
    "ara": ("arabic", "levantinsk", "syrisk arabisk", "irakisk arabisk", "egyptisk arabisk",
            "marokkansk arabisk", "sudanesisk arabisk"),
    "tir": ("tigrinya", "tigrigna", "tigrinja"),
    "tig": ("tigre", "tigrai"),
    "amh": ("amarinja", "amharinja"),
    "orm": ("oromiffa", "afaan oromoo", "oromigna", "galla"),
    "som": ("somalisk", "af soomaali"),
    "swa": ("kiswahili",),
    "kin": ("rwandisk", "ikinyarwanda"),
    "run": ("rundi", "ikirundi"),
    "lug": ("ganda",),
    "pus": ("pashtu", "pushto", "pakhto"),
    "pan": ("punjabi",),
    "ben": ("bangla",),
    "bos": ("serbokroatisk", "bks"),
    "hrv": ("serbokroatisk", "bks"),
    "srp": ("serbokroatisk", "bks"),
    "cnr": ("serbokroatisk", "bks"),
    "ful": ("fula", "fulani", "pular", "pulaar", "peul"),
    "twi": ("akan", "asante", "ashanti", "akuapem"),
    "fat": ("akan", "fante", "mfantse"),
    "mlg": ("malagasy", "malagassisk"),
    "ksw": ("karen", "kayin"),
    "cnh": ("chin", "hakha", "lai"),
    "tgl": ("filipino", "pilipino"),
    "mya": ("myanmar", "burmese"),
    "khm": ("kambodsjansk", "kampuchea"),
    "din": ("thuongjang",),
    "nus": ("naath",),
    "bal": ("balochi", "belutsji"),
    "aii": ("assyrisk", "arameisk", "aramaic", "sureth"),
    "yor": ("yoruba",),
    "zsm": ("malay", "bahasa melayu"),
    "ind": ("bahasa indonesia",),
    "sme": ("samisk", "sami"),
    "ell": ("greek",),
    "heb": ("ivrit",),
    "kab": ("taqbaylit",),
    "tzm": ("tamazight", "berber", "amazigh"),
    "kon": ("kongo",),
    "lua": ("luba-kasai",),
    "uig": ("uyghur", "uighur"),
}
