"""The API docs page renders in a real browser that may not reach the internet."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CHROMIUM, FLAGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)),
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)",
    ),
]


def test_swagger_ui_renders_with_every_outside_request_blocked(live_server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the live server's ORM calls share this thread
    from playwright.sync_api import sync_playwright

    local = urlsplit(live_server.url).netloc
    outside: list[str] = []

    def only_local(route):
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.route("**/*", only_local)
            page.goto(f"{live_server.url}/api/v1/docs")
            page.wait_for_selector(".opblock-summary-path")
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            title = page.locator(".info .title").inner_text()
        finally:
            browser.close()

    assert outside == []
    assert "Paceline API" in title
    assert any(p.replace("\u200b", "") == "/api/v1/accounts" for p in paths)
