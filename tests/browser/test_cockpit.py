"""A CSM opens My work in a real browser and completes a task with one click: the row goes,
the page does not reload, and the task is done."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from paceline.customers.models import Task, TaskStatus
from tests.engagement.cockpit_factories import account_with, task

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_csm_completes_a_task_from_my_work(page, live_server, login, csm):
    account = account_with(owner=csm, arr="120000", renews_in=21, name="Acme Corp")
    quote = task(account=account, owner=csm, due=-3, title="Send the renewal quote")
    task(account=account, owner=csm, due=2, title="Book the QBR")
    login(page, "carl")
    page.goto(f"{live_server.url}/work/")
    row = page.locator(f"#work-task-{quote.pk}")
    expect(row).to_contain_text("$120k ARR, renewal in 21 days, 3 days overdue")
    page.evaluate("window.notReloaded = true")

    row.get_by_role("button", name="Complete “Send the renewal quote”").click()

    expect(page.get_by_role("status").filter(has_text="Completed “Send the renewal quote”.")).to_be_visible()
    expect(page.locator("#work-overdue").get_by_role("button", name="Complete “Send the renewal quote”")).to_have_count(0)
    expect(page.get_by_role("button", name="Complete “Book the QBR”")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True  # swapped by HTMX, no full page load
    assert Task.objects.get(pk=quote.pk).status == TaskStatus.DONE
    page.reload()
    expect(page.locator("body")).not_to_contain_text("Send the renewal quote")
