"""The Interpreter Act (tolkeloven, LOV-2021-06-11-79) as data: each rule's stable code, its section
and what it means in bokmål and English. Which rules are in force depends on the assignment date:
the transitional dispensation (§ 7 fifth paragraph) applies up to and including the cut-off day
(`settings.TOLK_DISPENSATION_LAST_DAY`) and not after it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

TL4_CHILD = "TL4_CHILD"
TL6_DUTY_BASIS = "TL6_DUTY_BASIS"
TL7_QUALIFIED = "TL7_QUALIFIED"
TL7_EXCEPTION = "TL7_EXCEPTION"
TL7_DISPENSATION = "TL7_DISPENSATION"
TL8_REMOTE = "TL8_REMOTE"
TL9_GUIDELINES = "TL9_GUIDELINES"
TL10_POLICE_CERT = "TL10_POLICE_CERT"
TL14_LANGUAGE = "TL14_LANGUAGE"
TL15_CONFIDENTIALITY = "TL15_CONFIDENTIALITY"
TL16_IMPARTIALITY = "TL16_IMPARTIALITY"

RULE_SET_DISPENSATION = "dispensation"
RULE_SET_EXCEPTION_ONLY = "exception-only"


@dataclass(frozen=True)
class Rule:
    code: str
    section: str
    title_nb: str
    title_en: str
    text_nb: str
    text_en: str
    # Only the dispensation has an end; it ends on the configured cut-off day.
    ends_at_cutoff: bool = False

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "section": self.section,
            "title_nb": self.title_nb,
            "title_en": self.title_en,
            "text_nb": self.text_nb,
            "text_en": self.text_en,
        }


RULES: tuple[Rule, ...] = (
    Rule(
        TL4_CHILD, "§ 4", "Barn skal ikke brukes som tolk", "Children must not interpret",
        "Barn under 18 år skal ikke brukes til å tolke eller formidle informasjon. Unntak bare i "
        "nødssituasjoner eller når det er klart forsvarlig; unntaket og grunnen registreres.",
        "A child under 18 must not interpret or pass on information. Exceptions only in "
        "emergencies or where clearly justifiable; the exception and its reason are recorded.",
    ),
    Rule(
        TL6_DUTY_BASIS, "§ 6", "Grunnlag for bruk av tolk", "Basis for using an interpreter",
        "Hver bestilling oppgir grunnlaget: annen lov krever det, nødvendig for rettssikkerhet "
        "eller forsvarlig hjelp og tjeneste, eller skjønn.",
        "Each booking states the basis: required by another statute, necessary for legal "
        "safeguards or proper help and service, or discretionary.",
    ),
    Rule(
        TL7_QUALIFIED, "§ 7", "Kvalifisert tolk", "Qualified interpreter",
        "Når tolk er nødvendig eller lovpålagt, skal tolken være kvalifisert for språket "
        "(kategori A–E, aktiv oppføring på oppdragsdatoen).",
        "Where an interpreter is necessary or required by statute, the interpreter must be "
        "qualified for the language (category A–E, active entry on the assignment date).",
    ),
    Rule(
        TL7_EXCEPTION, "§ 7 andre ledd", "Unntak fra kvalifikasjonskravet",
        "Exception from the qualification duty",
        "Ukvalifisert tolk bare når det ikke er forsvarlig å vente, i nødssituasjoner eller av "
        "andre tungtveiende grunner; grunnlag, skriftlig begrunnelse og hvem som besluttet "
        "registreres.",
        "A non-qualified interpreter only when waiting is not justifiable, in emergencies or "
        "for other strong reasons; ground, written justification and who decided are recorded.",
    ),
    Rule(
        TL7_DISPENSATION, "§ 7 femte ledd", "Overgangsdispensasjon", "Transitional dispensation",
        "Oppdrag til og med skjæringsdatoen kan bruke ukvalifisert tolk etter "
        "overgangsregelen; det registreres at dispensasjonen ble brukt.",
        "Assignments up to and including the cut-off day may use a non-qualified interpreter "
        "under the transitional rule; reliance on the dispensation is recorded.",
        ends_at_cutoff=True,
    ),
    Rule(
        TL8_REMOTE, "§ 8", "Fjerntolking", "Remote interpreting",
        "Skjerm- og telefontolking bare over en teknisk forsvarlig og personvernsikker løsning "
        "fra virksomhetens godkjente liste.",
        "Video and phone interpreting only over a technically sound, privacy-safe solution "
        "from the body's approved list.",
    ),
    Rule(
        TL9_GUIDELINES, "§ 9", "Retningslinjer", "Guidelines",
        "Virksomheten har retningslinjer for bestilling og bruk av tolk; hver bestilling "
        "registrerer versjonen. Retningslinjene kan bare skjerpe lovens krav.",
        "The body has guidelines for ordering and using interpreters; each booking records the "
        "version. Guidelines can only be stricter than the law.",
    ),
    Rule(
        TL10_POLICE_CERT, "§ 10", "Politiattest", "Police certificate",
        "Krever virksomheten politiattest, kan bare tolker med gyldig attest bekreftes.",
        "Where the body requires a police certificate, only interpreters with a valid "
        "certificate can be confirmed.",
    ),
    Rule(
        TL14_LANGUAGE, "§ 14", "Språkkombinasjoner", "Language combinations",
        "Tolken tar bare oppdrag i språk tolken er kvalifisert for; bestillingen har tema- og "
        "terminologinotater.",
        "The interpreter takes only assignments in languages they are qualified for; the "
        "booking carries topic and terminology notes.",
    ),
    Rule(
        TL15_CONFIDENTIALITY, "§ 15", "Taushetsplikt", "Confidentiality",
        "Tolken bekrefter taushetsplikten når oppdraget aksepteres.",
        "The interpreter acknowledges the duty of confidentiality when accepting.",
    ),
    Rule(
        TL16_IMPARTIALITY, "§ 16", "Habilitet", "Impartiality",
        "Tolken erklærer at tolken ikke er inhabil; en virksomhet kan sperre en tolk for en sak.",
        "The interpreter declares not being disqualified; a body can block an interpreter for "
        "a case.",
    ),
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule_set_for(*, on: dt.date, dispensation_last_day: dt.date) -> str:
    """The rule set for an assignment on `on`."""
    return RULE_SET_DISPENSATION if on <= dispensation_last_day else RULE_SET_EXCEPTION_ONLY


def rules_in_force(*, on: dt.date, dispensation_last_day: dt.date) -> list[Rule]:
    """The rules that apply to an assignment on `on`."""
    dispensation = on <= dispensation_last_day
    return [rule for rule in RULES if dispensation or not rule.ends_at_cutoff]


def section_of(code: str) -> str:
    return RULES_BY_CODE[code].section
