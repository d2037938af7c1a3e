"""The API docs page renders in a real browser that may not reach the internet."""

from __future__ import annotations

from urllib.parse import urlsplit


def test_swagger_ui_renders_with_every_outside_request_blocked(page, live_server):
    local = urlsplit(live_server.url).netloc
    outside: list[str] = []

    def only_local(route):
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    title = page.locator(".info .title").inner_text()

    assert outside == []
    assert "Paceline API" in title
    assert any(p.replace("\u200b", "") == "/api/v1/accounts" for p in paths)
