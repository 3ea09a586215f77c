"""The end-to-end story in three browsers: a booker books, the coordinator sends an offer wave, the
interpreter sees the offer appear live and accepts with the two declarations, and the booker's list
turns to "assigned" without a reload."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.conftest import Pages, check_page

# Days as the demo data counts them: in Oslo, so a run just before midnight UTC books the day
# the demo planned around, not the one before.
OSLO = ZoneInfo("Europe/Oslo")
LIVE = "[data-live-status][data-state=open]"


def test_book_offer_accept_and_see_it_assigned_live(pages: Pages) -> None:
    # The booker fills in the form; the live check shows who is free before sending.
    booker = pages.login("booker")
    booker.goto(pages.base + "/book/")
    check_page(booker, "booker-book-form-empty")
    booker.get_by_label("Søk etter språk").fill("arab")
    booker.get_by_label("Språk", exact=True).select_option("ara")
    booker.get_by_label("Skjerm", exact=True).check()
    booker.get_by_label(re.compile(r"^Plattform")).select_option(index=1)
    day = dt.datetime.now(tz=OSLO).date() + dt.timedelta(days=3)
    booker.get_by_label("Dato", exact=True).fill(day.isoformat())
    booker.get_by_label("Fra", exact=True).fill("10:00")
    booker.get_by_label("Til", exact=True).fill("11:30")
    booker.get_by_label("Nødvendig for rettssikkerhet eller forsvarlig hjelp og tjeneste").check()
    # § 6: a necessary interpreter needs the assessment; the live check says so at once.
    problem = booker.locator("[data-check-result] [data-problem-code]")
    problem.wait_for()
    assert problem.get_attribute("data-problem-code") == "TL6_DUTY_BASIS"
    assert "§ 6" in problem.inner_text()
    check_page(booker, "booker-book-form-rule-problem")
    booker.get_by_label("Vurdering av behovet").fill("Samtale om rettigheter; må forstå vedtaket.")
    booker.get_by_label(re.compile(r"^Tema")).fill("Oppfølging av arbeidsavklaringspenger")
    booker.get_by_text("Flere valg").click()
    booker.get_by_label("Laveste godtatte kategori").select_option("A")
    free = booker.locator("[data-check-result] [data-free-count]")
    free.wait_for()
    assert int(free.get_attribute("data-free-count") or "0") >= 1
    check_page(booker, "booker-book-form-checked")
    booker.get_by_role("button", name="Send bestillingen").click()
    booker.wait_for_url(re.compile(r"/bookings/\d+/$"))
    booking_id = int(booker.url.rstrip("/").rsplit("/", 1)[1])
    check_page(booker, "booker-booking-detail")

    booker.goto(pages.base + "/bookings/")
    booker.wait_for_selector(LIVE)
    row_status = booker.locator(f"tr[data-booking-id='{booking_id}'] [data-status]")
    assert row_status.get_attribute("data-status") == "open"
    booker.evaluate("window.__notReloaded = true")
    check_page(booker, "booker-my-bookings")

    # The interpreter waits on the offers page on a phone.
    interpreter = pages.login("interpreter", phone=True)
    interpreter.goto(pages.base + "/interpreter/offers/")
    interpreter.wait_for_selector(LIVE)
    interpreter.evaluate("window.__notReloaded = true")

    # The coordinator sees the booking on the board, looks at the candidates and sends a wave.
    coordinator = pages.login("coordinator")
    coordinator.goto(pages.base + "/dispatch/")
    coordinator.locator(f"tr[data-booking-id='{booking_id}'] a").click()
    coordinator.wait_for_url(f"**/dispatch/{booking_id}/")
    check_page(coordinator, "coordinator-dispatch-booking")
    # Why is the demo interpreter (T-10001) a candidate, and at which rank?
    coordinator.get_by_label("Tolkenummer").fill("T-10001")
    coordinator.get_by_role("button", name="Forklar").click()
    assert "T-10001 er kandidat" in coordinator.get_by_role("status").last.inner_text()
    check_page(coordinator, "coordinator-dispatch-explain")
    coordinator.get_by_label(re.compile(r"\(T-10001\)")).check()
    coordinator.get_by_role("button", name="Send en tilbudsrunde").click()
    coordinator.wait_for_load_state()
    assert "Tilbud sendt til 1 tolk." in coordinator.locator(".messages").inner_text()
    check_page(coordinator, "coordinator-dispatch-after-wave")

    # The offer appears on the interpreter's page without a reload.
    card = interpreter.locator(f"[data-offer-id][data-booking-id='{booking_id}']")
    card.first.wait_for(timeout=15_000)
    assert "Arabisk" in card.first.inner_text()
    assert interpreter.evaluate("window.__notReloaded") is True
    check_page(interpreter, "interpreter-offer-live")
    card.first.get_by_label(re.compile("inhabil")).check()
    card.first.get_by_label(re.compile("taushetsplikt")).check()
    card.first.get_by_role("button", name="Aksepter oppdraget").click()
    interpreter.wait_for_url("**/interpreter/assignments/")
    assert "Arabisk" in interpreter.locator("main").inner_text()
    check_page(interpreter, "interpreter-assignments")

    # The booker's list turns to "assigned" by itself.
    booker.wait_for_selector(
        f"tr[data-booking-id='{booking_id}'] [data-status=assigned]", timeout=15_000
    )
    assert booker.evaluate("window.__notReloaded") is True
    assert "Tildelt" in booker.locator(f"tr[data-booking-id='{booking_id}']").inner_text()
    check_page(booker, "booker-my-bookings-assigned")

    # The detail shows the interpreter, the declarations and the audit trail.
    booker.goto(f"{pages.base}/bookings/{booking_id}/")
    main = booker.locator("main").inner_text()
    assert "T-10001" in main
    assert "Revisjonsspor" in main
    check_page(booker, "booker-booking-detail-assigned")


def _book_tigrinya(pages: Pages, *, days: int, start: str, end: str,
                   case_reference: str = "") -> tuple[Any, int]:
    """The booker books an on-site Tigrinya interpreter in Oslo `days` ahead (Oslo's date) through
    the form; answers the booker's page, on the new booking, and the booking's id."""
    booker = pages.login("booker")
    booker.goto(pages.base + "/book/")
    booker.get_by_label("Søk etter språk").fill("tigr")
    booker.get_by_label("Språk", exact=True).select_option("tir")
    day = dt.datetime.now(tz=OSLO).date() + dt.timedelta(days=days)
    booker.get_by_label("Dato", exact=True).fill(day.isoformat())
    booker.get_by_label("Fra", exact=True).fill(start)
    booker.get_by_label("Til", exact=True).fill(end)
    booker.get_by_label(re.compile(r"^Adresse")).fill("Markveien 1, 0554 Oslo")
    booker.get_by_label("Skjønnsmessig").check()
    if case_reference:
        booker.get_by_text("Flere valg").click()
        booker.get_by_label("Saksnummer").fill(case_reference)
    booker.get_by_role("button", name="Send bestillingen").click()
    booker.wait_for_url(re.compile(r"/bookings/\d+/$"))
    return booker, int(booker.url.rstrip("/").rsplit("/", 1)[1])


def _offer_to_the_demo_interpreter(pages: Pages, booking_id: int) -> Any:
    """The coordinator sends the booking's offer to the demo interpreter alone; answers the
    coordinator's page."""
    coordinator = pages.login("coordinator")
    coordinator.goto(f"{pages.base}/dispatch/{booking_id}/")
    coordinator.get_by_label(re.compile(r"\(T-10001\)")).check()
    coordinator.get_by_role("button", name="Send en tilbudsrunde").click()
    coordinator.wait_for_load_state()
    return coordinator


def test_offer_closes_live_when_the_booker_cancels(pages: Pages) -> None:
    booker, booking_id = _book_tigrinya(pages, days=12, start="13:00", end="14:00")

    interpreter = pages.login("interpreter")
    interpreter.wait_for_selector(LIVE)

    coordinator = _offer_to_the_demo_interpreter(pages, booking_id)

    card = interpreter.locator(f"[data-offer-id][data-booking-id='{booking_id}']").first
    card.wait_for(timeout=15_000)
    interpreter.evaluate("window.__notReloaded = true")
    coordinator.goto(pages.base + "/dispatch/")
    coordinator.wait_for_selector(LIVE)
    row = coordinator.locator(f"tr[data-booking-id='{booking_id}']")
    assert row.locator("[data-status=offered]").is_visible()
    coordinator.evaluate("window.__notReloaded = true")

    booker.get_by_label("Ja, avbestill").check()
    booker.get_by_role("button", name="Avbestill").click()
    assert booker.locator("[data-live-booking] [data-status=cancelled]").is_visible()

    card.get_by_text("Bestillingen ble avbestilt.").wait_for(timeout=15_000)
    assert card.get_by_role("button", name="Aksepter oppdraget").count() == 0
    assert interpreter.evaluate("window.__notReloaded") is True
    check_page(interpreter, "interpreter-offer-withdrawn-live")

    # The coordinator's board drops the cancelled booking by itself.
    row.wait_for(state="detached", timeout=15_000)
    assert coordinator.evaluate("window.__notReloaded") is True


def test_assignment_leaves_my_assignments_live_when_the_booker_cancels(pages: Pages) -> None:
    booker, booking_id = _book_tigrinya(pages, days=13, start="09:00", end="10:00")

    _offer_to_the_demo_interpreter(pages, booking_id)

    # The interpreter accepts and stays on "Mine oppdrag".
    interpreter = pages.login("interpreter")
    interpreter.goto(pages.base + "/interpreter/offers/")
    card = interpreter.locator(f"[data-offer-id][data-booking-id='{booking_id}']").first
    card.wait_for(timeout=15_000)
    card.get_by_label(re.compile("inhabil")).check()
    card.get_by_label(re.compile("taushetsplikt")).check()
    card.get_by_role("button", name="Aksepter oppdraget").click()
    interpreter.wait_for_url("**/interpreter/assignments/")
    interpreter.wait_for_selector(LIVE)
    mine = interpreter.locator(f"[data-assignment-id][data-booking-id='{booking_id}']")
    assert mine.count() == 1
    interpreter.evaluate("window.__notReloaded = true")

    booker.reload()
    booker.get_by_label("Ja, avbestill").check()
    booker.get_by_role("button", name="Avbestill").click()
    assert booker.locator("[data-live-booking] [data-status=cancelled]").is_visible()

    # Gone from the interpreter's list within seconds, without a reload, and said aloud.
    mine.wait_for(state="detached", timeout=10_000)
    assert interpreter.evaluate("window.__notReloaded") is True
    interpreter.locator("[data-announce]", has_text="ble avbestilt").wait_for(
        state="attached", timeout=5_000
    )
    check_page(interpreter, "interpreter-assignment-cancelled-live")


def test_offer_closes_live_with_the_block_as_reason_when_the_booker_blocks(pages: Pages) -> None:
    booker, booking_id = _book_tigrinya(pages, days=14, start="09:00", end="10:00",
                                        case_reference="BT-16/2026")

    interpreter = pages.login("interpreter")
    interpreter.goto(pages.base + "/interpreter/offers/")
    interpreter.wait_for_selector(LIVE)

    _offer_to_the_demo_interpreter(pages, booking_id)

    card = interpreter.locator(f"[data-offer-id][data-booking-id='{booking_id}']").first
    card.wait_for(timeout=15_000)
    interpreter.evaluate("window.__notReloaded = true")

    # A § 16 block for this case only: the booking stays open, and the card says so.
    booker.goto(pages.base + "/blocks/")
    booker.get_by_label("Tolkenummer").fill("T-10001")
    booker.get_by_label("Saksnummer").fill("BT-16/2026")
    booker.get_by_label(re.compile(r"^Begrunnelse")).fill("Tolken er i slekt med parten i saken.")
    booker.get_by_role("button", name="Sperr", exact=True).click()
    booker.wait_for_load_state()

    card.get_by_text(re.compile("sperret deg for denne bestillingen")).wait_for(timeout=15_000)
    assert "avbestilt" not in card.inner_text()
    assert card.get_by_role("button", name="Aksepter oppdraget").count() == 0
    assert interpreter.evaluate("window.__notReloaded") is True
    check_page(interpreter, "interpreter-offer-withdrawn-blocked-live")
