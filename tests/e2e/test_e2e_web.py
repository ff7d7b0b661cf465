"""The pages in a real browser: Debian's Chromium driven by Playwright against the real server.

On the demo server of each database kind (``server``): a person signs in at
``/``, runs a team report, sees the table and the chart, changes the chart,
downloads the CSV (the same bytes as the API's, signed with OAuth), reloads
a bookmark of the page; a bad query shows its error at its position; an
application registered on the page is used by the ``odesk`` client through
the OAuth flow and gets 401 once its token is revoked on the page; a person
without rights is offered no key and gets the same error for a team he may
not read as for one that does not exist. The tests save a screenshot of
each page at desktop and phone width (for SQLite only) under
``ODESK_SCREENSHOT_DIR`` (``docs/screenshots`` holds the committed ones),
or a temporary folder, and check that no page is wider than a phone.

Chromium is ``/usr/bin/chromium`` (``scripts/test`` installs Debian's
package when it is missing); Playwright never downloads a browser here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

import odesk
from odesk.exceptions import HTTP401UnauthorizedError
from tests.e2e.e2e_support import Server

CHROMIUM = os.environ.get("ODESK_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ENGINEERING = "companies/acme:acme/teams/acme:engineering"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./scripts/test installs Debian's chromium package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("ODESK_SCREENSHOT_DIR")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    made.set_default_timeout(TIMEOUT_MS)
    try:
        yield made
    finally:
        made.close()


def shoot(page: Page, server: Server, folder: Path, name: str, *, full_page: bool = True) -> None:
    """A screenshot at desktop and at phone width (the whole page by default); the page must fit a phone's width."""
    if server.kind != "sqlite":
        return
    size = page.viewport_size
    page.screenshot(path=str(folder / f"{name}-desktop.png"), full_page=full_page)
    page.set_viewport_size(PHONE)
    overflow = 0
    for _ in range(30):  # the chart follows the new width on one of its next frames
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow <= 0:
            break
        page.wait_for_timeout(100)
    assert overflow <= 0, f"{name} is {overflow}px wider than a phone"
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=full_page)
    if size is not None:
        page.set_viewport_size(size)


def sign_in(page: Page, server: Server, uid: str) -> None:
    page.goto(server.base_url + "/")
    page.get_by_label("User id or email").fill(uid)
    page.get_by_label("Password").fill(server.password)
    page.get_by_label("Password").press("Enter")  # from the keyboard
    expect(page.get_by_text("Signed in as")).to_be_visible()


def run_report(page: Page) -> None:
    page.get_by_role("button", name="Run the report").click()
    expect(page.locator("#result-status")).to_contain_text("row")


def chart_type(page: Page) -> str | None:
    return page.evaluate("(() => { const c = Chart.getChart('chart-canvas'); return c ? c.config.type : null; })()")


def test_a_team_report_as_table_chart_download_and_bookmark(
    context: BrowserContext, server: Server, screenshot_dir: Path
) -> None:
    page = context.new_page()
    page.goto(server.base_url + "/")
    shoot(page, server, screenshot_dir, "home-signed-out")
    sign_in(page, server, "mhale")
    shoot(page, server, screenshot_dir, "home")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="API reference").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shoot(page, server, screenshot_dir, "docs", full_page=False)
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_label("Report", exact=True).select_option("team")
    page.get_by_label("Of", exact=True).select_option(ENGINEERING)
    page.get_by_label("Start from an example").select_option(label="Hours per day")
    run_report(page)
    rows = page.locator("#result-table tbody tr")
    assert rows.count() >= 10
    assert chart_type(page) == "line"
    # Sort by hours, from the keyboard: the header's button.
    page.get_by_role("button", name="hours: sort").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#result-table th[aria-sort='ascending']")).to_have_count(1)
    hours = [float(text) for text in page.locator("#result-table tbody td.number").all_inner_texts()]
    assert hours == sorted(hours)
    page.get_by_label("Chart").select_option("bar")
    assert chart_type(page) == "bar"
    shoot(page, server, screenshot_dir, "reports")

    # The CSV the page downloads is the API's, byte for byte.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    downloaded = Path(download_info.value.path()).read_bytes()
    gds = urlsplit(page.locator("#gds-url").input_value())
    tq = parse_qs(gds.query)["tq"][0]
    assert gds.path == f"/gds/timereports/v1/{ENGINEERING}"
    by_api = server.signed_get("owner", gds.path, {"tq": tq, "tqx": "out:csv"})
    assert by_api.status_code == 200
    assert downloaded == by_api.content
    assert downloaded.count(b"\n") >= rows.count()

    # The page's address is the bookmark: opened again, it runs the same query with the chosen chart.
    bookmark = page.url
    again = context.new_page()
    again.goto(bookmark)
    expect(again.locator("#result-status")).to_contain_text(f"{rows.count()} rows")
    assert again.locator("#tq").input_value() == tq
    assert chart_type(again) == "bar"


def test_a_bad_query_shows_its_error_at_its_position(context: BrowserContext, server: Server) -> None:
    page = context.new_page()
    sign_in(page, server, "mhale")
    page.goto(server.base_url + "/reports?report=team&key=" + ENGINEERING)
    page.get_by_label("Query", exact=True).fill("SELECT worked_on, sum(hours WHERE worked_on >= '2026-01-01'")
    run_button = page.get_by_role("button", name="Run the report")
    run_button.focus()
    page.keyboard.press("Enter")
    error = page.locator("#query-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("at position 28")
    expect(page.locator("#query-caret")).to_have_text(re.compile(r"WHERE[^\n]*\n {28}\^$"))
    expect(page.get_by_label("Query", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#results")).to_be_hidden()


def test_a_person_without_rights_is_offered_nothing_and_told_as_for_an_unknown_key(
    context: BrowserContext, server: Server
) -> None:
    page = context.new_page()
    sign_in(page, server, "tbecker")  # the member: no report of Acme is his to read
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_label("Of", exact=True).locator("option")).to_have_text(["None you may read"])
    options = page.get_by_label("Report", exact=True).locator("option")
    expect(options.first).to_contain_text("(none you may read)")
    assert all(text.endswith("(none you may read)") for text in options.all_text_contents())
    query = "SELECT worked_on, sum(hours) WHERE worked_on >= '2026-01-01'"
    errors = []
    for team in ("acme:engineering", "acme:nosuchteam"):
        page.goto(f"{server.base_url}/reports?report=team&key=companies/acme:acme/teams/{team}&tq={query}&chart=line")
        expect(page.locator("#query-error")).to_be_visible()
        errors.append(page.locator("#query-error").inner_text().replace(team, "TEAM"))
        expect(page.locator("#results")).to_be_hidden()
    assert errors[0] == errors[1]
    assert "hiring manager or finance permission" in errors[0]


def test_register_an_application_use_it_and_revoke_its_token(
    context: BrowserContext, server: Server, screenshot_dir: Path
) -> None:
    page = context.new_page()
    sign_in(page, server, "dortiz")
    page.get_by_role("link", name="Applications", exact=True).click()
    shoot(page, server, screenshot_dir, "applications")
    name = f"Browser test {uuid.uuid4().hex[:8]}"
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name=f"{name} is registered")).to_be_visible()
    key = page.get_by_label("Consumer key").input_value()
    secret = page.get_by_label("Consumer secret").input_value()
    shoot(page, server, screenshot_dir, "application-registered")

    # The odesk client uses the new key: request token, the authorize page in this browser, access token.
    client = odesk.Client(key, secret, base_url=server.base_url)
    authorize_url = client.auth.get_authorize_url()
    page.goto(authorize_url)
    expect(page.get_by_text(name)).to_be_visible()
    shoot(page, server, screenshot_dir, "authorize")
    page.get_by_label("User id or email").fill("dortiz")
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Allow access").click()
    verifier = page.locator("#oauth_verifier").inner_text().strip()
    token, token_secret = client.auth.get_access_token(verifier)
    signed = odesk.Client(key, secret, token, token_secret, base_url=server.base_url)
    assert signed.auth.get_info()["auth_user"]["uid"] == "dortiz"

    # Revoke it on the page: the client's next call is refused.
    page.goto(server.base_url + "/applications")
    page.get_by_role("button", name=f"Revoke every token of {name}").click()
    expect(page.get_by_role("status")).to_contain_text("no longer acts for you")
    with pytest.raises(HTTP401UnauthorizedError):
        signed.auth.get_info()

    # Signing out ends the session: the reports page sends the browser to sign in again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(server.base_url + "/reports")
    assert urlsplit(page.url).path == "/"
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def _last_weekday_before_today() -> dt.date:
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def test_a_contractors_work_diary_and_his_messages(
    context: BrowserContext, server: Server, screenshot_dir: Path
) -> None:
    page = context.new_page()
    sign_in(page, server, "jwalker")  # the provider
    page.get_by_role("link", name="Work diary", exact=True).click()
    contract = page.get_by_label("Contract")
    expect(contract.locator("option").first).not_to_have_text("Loading your contracts…")
    reference = contract.input_value()
    assert reference
    day = _last_weekday_before_today()
    page.get_by_label("Day", exact=True).fill(day.isoformat())
    page.get_by_label("Time zone").select_option("gmt")
    page.get_by_role("button", name="Show the day").click()
    expect(page.locator("#diary-status")).to_contain_text("snapshots")
    by_api = server.signed_get(
        "provider", f"/api/team/v2/workdiaries/contracts/{reference}/{day:%Y%m%d}.json", {"tz": "gmt"}
    ).json()["snapshots"]["snapshot"]
    cards = page.locator("#snapshots > li")
    expect(cards).to_have_count(len(by_api))
    assert len(by_api) > 0
    first = by_api[0]
    expect(cards.first).to_contain_text(first["memo"] or "none")
    expect(cards.first.locator("img")).to_have_attribute("alt", re.compile(r"^Screenshot at \d\d:\d\d"))
    shoot(page, server, screenshot_dir, "workdiary", full_page=False)

    page.get_by_role("link", name="Messages", exact=True).click()
    inbox = server.signed_get("provider", "/api/mc/v1/trays/jwalker/inbox.json").json()["current_tray"]
    expect(page.locator("#threads > li")).to_have_count(len(inbox["threads"]))
    thread = inbox["threads"][0]
    page.get_by_role("link", name=thread["subject"]).click()
    expect(page.get_by_role("heading", name=thread["subject"], level=2)).to_be_focused()
    expect(page.locator("#posts > li")).to_have_count(min(int(thread["post_count"]), 100))
    shoot(page, server, screenshot_dir, "messages")
