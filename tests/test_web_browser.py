"""The web app in a real browser: Debian's chromium through chromium-driver (Selenium), at a
phone's viewport, against `iddexi serve` on loopback. Nothing is downloaded: the driver
and browser are the system's (`.ci/run` installs them where missing).

Each page is saved as a screenshot under the test's temp folder and checked not blank.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from PIL import Image, ImageStat
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.helpers.web import BUREAU_PASSWORD, LiveServer, build_web_market

PHONE = {"width": 390, "height": 844, "pixelRatio": 2}


def system_chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    assert browser and driver, "install Debian's chromium and chromium-driver (see README)"
    return browser, driver


def cjk_fonts(folder: Path) -> dict[str, str]:
    """Environment giving chromium the Noto Sans CJK font our dependencies ship, so the
    screenshots show Chinese (phones have their own fonts; a CI machine may have none)."""
    from noto_cjk_sans_otc import FONT_PATH

    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{escape(str(Path(FONT_PATH).parent))}</dir>"
        f"<cachedir>{escape(str(folder / 'fontconfig-cache'))}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return {"FONTCONFIG_FILE": str(config)}


@pytest.fixture
def phone(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    browser, driver = system_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        f"--window-size={PHONE['width']},{PHONE['height']}",
    ):
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
    service = Service(executable_path=driver, env={**os.environ, **cjk_fonts(tmp_path)})
    chrome = webdriver.Chrome(options=options, service=service)
    chrome.set_page_load_timeout(30)
    try:
        yield chrome
    finally:
        chrome.quit()


def click_and_wait(chrome: webdriver.Chrome, by: str, what: str) -> None:
    """Click a submit button and wait for the next page (the old one goes stale)."""
    old = chrome.find_element(By.TAG_NAME, "html")
    chrome.find_element(by, what).click()
    WebDriverWait(chrome, 20).until(expected_conditions.staleness_of(old))


def snap(chrome: webdriver.Chrome, folder: Path, name: str) -> Path:
    """A screenshot of the whole page (beyond the phone's screen, so a person can look at
    all of it), checked to show something (not one flat colour) and to fit the phone's
    width (nothing wider than the screen: no sideways scrolling)."""
    path = folder / f"{name}.png"
    shot = chrome.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    wide = chrome.execute_script("return document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{name} is {wide} px wide on a {PHONE['width']} px phone"
    with Image.open(path) as image:
        grey = image.convert("L")
        assert grey.width >= PHONE["width"], grey.size
        variance = ImageStat.Stat(grey).var[0]
        dark = sum(grey.histogram()[:128]) / (grey.width * grey.height)
    assert variance > 100 and dark > 0.002, f"{name} looks blank (variance {variance:.0f})"
    return path


def test_keeper_submits_and_organiser_approves_in_a_phone_browser(
    ledger_path: Path, tmp_path: Path, phone: webdriver.Chrome, run
) -> None:
    market = build_web_market(ledger_path)
    shots = tmp_path / "screens"
    shots.mkdir()
    with LiveServer(ledger_path) as server:
        # the keeper scans the card: the link opens the form
        phone.get(server.base + market.links["M01"])
        assert "敖日格勒家冬储肉" in phone.page_source
        snap(phone, shots, "1-keeper-form")
        phone.find_element(By.ID, "amount_meat").send_keys("1.5万")
        phone.find_element(By.ID, "qty_meat").send_keys("120")
        phone.find_element(By.CSS_SELECTOR, "#unit_meat option[value=kg]").click()
        phone.find_element(By.ID, "amount_other").send_keys("12.345")
        click_and_wait(phone, By.ID, "send")
        # a refusal next to its field, the good figure kept
        assert "more than two decimals" in phone.page_source
        assert phone.find_element(By.ID, "amount_meat").get_attribute("value") == "1.5万"
        snap(phone, shots, "2-keeper-refusal")
        other = phone.find_element(By.ID, "amount_other")
        other.clear()
        other.send_keys("¥1,200.50")
        click_and_wait(phone, By.ID, "send")
        receipt = phone.find_element(By.ID, "receipt").text
        assert "¥15,000.00" in receipt and "¥1,200.50" in receipt
        assert phone.find_element(By.ID, "total").text == "¥16,200.50"
        snap(phone, shots, "3-keeper-receipt")

        # the organiser signs in with the code `iddexi serve` printed, and approves
        phone.get(server.base + "/o/login")
        snap(phone, shots, "4-organiser-sign-in")
        phone.find_element(By.ID, "password").send_keys(server.token)
        click_and_wait(phone, By.ID, "signin")
        assert "D01" in phone.find_element(By.ID, "silent").text  # has not reported
        snap(phone, shots, "5-organiser-submissions")
        phone.find_element(By.CSS_SELECTOR, "input[id^=pick-]").click()
        click_and_wait(phone, By.ID, "approve")
        assert "approved" in phone.find_element(By.ID, "submissions").text
        snap(phone, shots, "6-organiser-approved")
        # a gate count: refused next to its field, then recorded with its estimate
        for field, value in (("gate", "东门"), ("start", "25:00"), ("minutes", "20")):
            phone.find_element(By.ID, field).send_keys(value)
        phone.find_element(By.ID, "count").send_keys("312")
        click_and_wait(phone, By.ID, "count-gate")
        assert "is not a time of day" in phone.find_element(By.ID, "gate-form").text
        snap(phone, shots, "7-organiser-gate-refusal")
        start = phone.find_element(By.ID, "start")
        start.clear()
        start.send_keys("10:00")
        click_and_wait(phone, By.ID, "count-gate")
        assert phone.find_element(By.ID, "estimate").text.endswith(": 5616")
        snap(phone, shots, "8-organiser-gate-estimate")

        # the bureau reads the season report
        phone.get(server.base + "/b/login")
        snap(phone, shots, "9-bureau-sign-in")
        phone.find_element(By.ID, "password").send_keys(BUREAU_PASSWORD)
        click_and_wait(phone, By.ID, "signin")
        assert len(phone.find_elements(By.CSS_SELECTOR, "img.chart")) == 5
        assert phone.find_element(By.ID, "brief").text
        snap(phone, shots, "10-bureau-report")
        phone.get(server.base + "/")
        snap(phone, shots, "11-home")
        phone.get(server.base + "/s/M01/not-the-secret")
        snap(phone, shots, "12-refused-link")
        assert server.stop() == 0, "\n".join(server.output)  # Ctrl-C: a clean stop
        assert server.output[-1] == "Stopped."
        assert server.output[0] == f"Serving the ledger at {server.base}"

    listed = run("--ledger", ledger_path, "sale", "list", market.session_ref, "--json")
    assert listed.exit_code == 0, listed.output
    sold = json.loads(listed.stdout, parse_float=Decimal)
    lines = {(s["stall"], s["category"], s["amount_yuan"]) for s in sold}
    assert lines == {("M01", "meat", Decimal("15000.00")), ("M01", "other", Decimal("1200.50"))}
    assert len(list(shots.glob("*.png"))) == 12
