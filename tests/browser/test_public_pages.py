"""Public pages, login and the error pages in a real browser, in bokmål, English and on a phone."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Pages, check_page


def test_start_page_and_card_check_by_register_number(pages: Pages) -> None:
    page = pages.new_page()
    page.goto(pages.base + "/")
    assert page.locator("html").get_attribute("lang") == "nb"
    check_page(page, "public-start")

    page.get_by_label("Tolkenummer").first.fill("T-10001")
    page.get_by_role("button", name="Sjekk").first.click()
    page.wait_for_url("**/card/?number=T-10001")
    result = page.locator("section[aria-labelledby=result-heading]")
    assert "T-10001" in result.inner_text()
    assert "Kvalifisert" in result.inner_text()
    check_page(page, "public-card-check")

    page.get_by_label("Tolkenummer").fill("T-99999999")
    page.get_by_role("button", name="Sjekk").click()
    assert "Ingen tolk har tolkenummer T-99999999" in page.locator("main").inner_text()
    check_page(page, "public-card-check-unknown")


def test_keyboard_user_reaches_main_content_with_skip_link(pages: Pages) -> None:
    page = pages.new_page()
    page.goto(pages.base + "/card/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Hopp til hovedinnholdet" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_english_switch_changes_language_and_lang_attribute(pages: Pages) -> None:
    page = pages.new_page()
    page.goto(pages.base + "/card/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Check an interpreter card").is_visible()
    check_page(page, "public-card-check-en")
    page.get_by_role("button", name="Norsk (bokmål)").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nb"


def test_login_with_wrong_password_shows_a_clear_error(pages: Pages) -> None:
    page = pages.new_page()
    page.goto(pages.base + "/login/")
    page.get_by_label("Brukernavn").fill("booker")
    page.get_by_label("Passord").fill("wrong")
    page.get_by_role("button", name="Logg inn").click()
    assert page.get_by_role("alert").is_visible()
    check_page(page, "login-error")


def test_error_pages_in_house_style(pages: Pages) -> None:
    page = pages.new_page()
    response: Any = page.goto(pages.base + "/no/such/page/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Vi fant ikke siden").is_visible()
    check_page(page, "error-404")

    interpreter = pages.login("interpreter")
    response = interpreter.goto(pages.base + "/dispatch/")
    assert response.status == 403
    heading = interpreter.get_by_role("heading", name="Du har ikke tilgang til denne siden")
    assert heading.is_visible()
    check_page(interpreter, "error-403")


def test_interpreter_card_with_qr_code_on_a_phone(pages: Pages) -> None:
    page = pages.login("interpreter", phone=True)
    page.goto(pages.base + "/interpreter/card/")
    qr = page.get_by_role("img", name="QR-kode")
    assert qr.is_visible()
    link = page.locator("main a[href*='/card/T-10001/']")
    target = link.get_attribute("href")
    assert target and target.endswith("/card/T-10001/")
    check_page(page, "interpreter-card-phone")
    page.goto(target)
    assert "T-10001" in page.locator("main").inner_text()
    check_page(page, "public-card-from-qr")
