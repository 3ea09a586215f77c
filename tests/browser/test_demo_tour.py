"""Every page with the demo data from seed_demo, for every demo login: it opens, it passes the axe
check, and the things the demo data holds are on it."""

from __future__ import annotations

import re

from tests.browser.conftest import Pages, check_page


def test_booker_pages_with_demo_bookings_and_cancellation(pages: Pages) -> None:
    booker = pages.login("booker")
    assert booker.url.endswith("/bookings/")
    rows = booker.locator("tr[data-booking-id]")
    assert rows.count() >= 10
    for status in ("completed", "cancelled", "unfilled", "assigned", "offered", "open"):
        assert booker.locator(f"tr [data-status={status}]").count() >= 1, status
    check_page(booker, "tour-booker-bookings")

    # The emergency booking shows its documented § 7 exception.
    booker.locator("tr", has_text="Rohingya").first.get_by_role("link").click()
    main = booker.locator("main").inner_text()
    assert "Tolk utenfor registeret" in main
    assert "Vakthavende lege" in main
    # The interpreter outside the register declared in writing; who recorded it shows too.
    assert "skriftlig av Tolk utenfor registeret; registrert av" in main
    check_page(booker, "tour-booker-exception-detail")

    # Cancel an open booking in good time: no late-cancellation warning, status cancelled.
    booker.goto(pages.base + "/bookings/?status=open")
    booker.locator("tr[data-booking-id] a").first.click()
    assert booker.locator("#late-warning").count() == 0
    booker.get_by_label("Grunn til avbestillingen").fill("Timen er flyttet")
    booker.get_by_role("button", name="Avbestill").click()
    assert "Kryss av for å bekrefte" in booker.locator("main").inner_text()
    check_page(booker, "tour-booker-cancel-unconfirmed")
    booker.get_by_label("Ja, avbestill").check()
    booker.get_by_role("button", name="Avbestill").click()
    assert booker.locator("[data-live-booking] [data-status=cancelled]").is_visible()
    assert "Timen er flyttet" in booker.locator(".timeline").inner_text()
    check_page(booker, "tour-booker-cancelled")

    booker.goto(pages.base + "/book/")
    booker.get_by_role("button", name="English").click()
    booker.wait_for_load_state()
    assert booker.get_by_role("heading", name="Book an interpreter").is_visible()
    booker.get_by_role("button", name="Send the booking").click()
    assert booker.get_by_role("alert").is_visible()
    check_page(booker, "tour-booker-form-errors-en")


def test_booker_blocks_an_interpreter_for_a_case(pages: Pages) -> None:
    booker = pages.login("booker")
    booker.get_by_role("link", name="Sperrede tolker").click()
    assert booker.get_by_role("heading", name="Sperrede tolker").is_visible()
    check_page(booker, "tour-booker-blocks-empty")
    booker.get_by_label("Tolkenummer").fill("T-0")
    booker.get_by_label("Begrunnelse (tolkeloven § 16)").fill("Tolken er i slekt med parten.")
    booker.get_by_role("button", name="Sperr", exact=True).click()
    assert "Fant ikke tolken" in booker.locator("main").inner_text()
    check_page(booker, "tour-booker-blocks-error")
    booker.get_by_label("Tolkenummer").fill("T-12100")
    booker.get_by_label("Saksnummer").fill("2026/4711")
    booker.get_by_role("button", name="Sperr", exact=True).click()
    assert "T-12100 er sperret" in booker.locator(".messages").inner_text()
    row = booker.locator("tr", has_text="T-12100")
    assert "2026/4711" in row.inner_text()
    check_page(booker, "tour-booker-blocks")
    row.get_by_role("button", name="Opphev").click()
    assert "Sperringen er opphevet" in booker.locator(".messages").inner_text()
    assert booker.locator("tr", has_text="T-12100").count() == 0


def test_interpreter_pages_with_demo_offers_assignments_and_calendar(pages: Pages) -> None:
    interpreter = pages.login("interpreter", phone=True)
    assert interpreter.url.endswith("/interpreter/offers/")
    # The demo's offers may have expired by now: either cards or the empty notice.
    offers = interpreter.locator("[data-offer-id]").count()
    assert offers or interpreter.get_by_text("Du har ingen åpne tilbud").is_visible()
    check_page(interpreter, "tour-interpreter-offers")

    interpreter.goto(pages.base + "/interpreter/assignments/")
    assert interpreter.locator(".cards > li").count() >= 2
    interpreter.get_by_role("button", name="Lag en kalenderadresse").click()
    address = interpreter.get_by_label("Din kalenderadresse").input_value()
    assert re.search(r"/api/v1/me/calendar\.ics\?token=\S+$", address)
    feed = interpreter.request.get(address)
    assert feed.status == 200
    assert "BEGIN:VCALENDAR" in feed.text()
    check_page(interpreter, "tour-interpreter-assignments")


def test_coordinator_board_with_demo_bookings(pages: Pages) -> None:
    coordinator = pages.login("coordinator")
    assert coordinator.url.endswith("/dispatch/")
    board = coordinator.locator("tbody[data-rows]").inner_text()
    assert "Tilbudt" in board and "Åpen" in board
    check_page(coordinator, "tour-coordinator-board")
    coordinator.locator("tr", has_text="Tilbudt").first.get_by_role("link").click()
    assert coordinator.locator("table", has_text="Runde").first.is_visible()
    # The excluded interpreters, with the rule that excludes each, arrive after the page.
    coordinator.locator("#excluded").wait_for()
    assert "Utelatt fordi" in coordinator.locator("#excluded").inner_text()
    check_page(coordinator, "tour-coordinator-offered-booking")
    coordinator.goto(pages.base + "/statistics/import/")
    check_page(coordinator, "tour-coordinator-provider-file")


def test_admin_and_analyst_start_pages(pages: Pages) -> None:
    admin = pages.login("admin")
    assert admin.get_by_role("link", name="Behovsrapport").first.is_visible()
    check_page(admin, "tour-admin-start")
    admin.goto(pages.base + "/statistics/")
    check_page(admin, "tour-admin-need-report")
    analyst = pages.login("analyst")
    assert analyst.url.endswith("/statistics/")
    check_page(analyst, "tour-analyst-need-report")
