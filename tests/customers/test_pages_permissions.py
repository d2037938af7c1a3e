"""Who may open and who may change the customer pages: every URL, every persona."""

from __future__ import annotations

import pytest

from paceline.customers.models import Account, Contact, Task, TaskStatus
from tests.factories import ContactFactory, InteractionFactory, SubscriptionFactory, TaskFactory

READ_URLS = ["/book/", "/accounts/{a}/", "/accounts/{a}/timeline/"]
WRITE_URLS = [
    "/accounts/new/",
    "/accounts/{a}/edit/",
    "/accounts/{a}/delete/",
    "/accounts/{a}/contacts/new/",
    "/accounts/{a}/contacts/{c}/edit/",
    "/accounts/{a}/contacts/{c}/left/",
    "/accounts/{a}/subscriptions/new/",
    "/accounts/{a}/subscriptions/{s}/edit/",
    "/accounts/{a}/subscriptions/{s}/renewal/",
    "/accounts/{a}/interactions/new/",
    "/accounts/{a}/interactions/{i}/edit/",
    "/accounts/{a}/tasks/new/",
    "/accounts/{a}/tasks/{t}/edit/",
    "/accounts/{a}/tasks/{t}/complete/",
]
POST_ONLY = {"/accounts/{a}/tasks/{t}/complete/"}


@pytest.fixture
def record(account):
    """One of everything on the account, so every URL has something to point at."""
    return {
        "a": account.pk,
        "c": ContactFactory(account=account).pk,
        "s": SubscriptionFactory(account=account).pk,
        "i": InteractionFactory(account=account).pk,
        "t": TaskFactory(account=account).pk,
    }


@pytest.mark.parametrize("url", READ_URLS + WRITE_URLS)
def test_anonymous_is_sent_to_log_in(anon_client, record, url):
    path = url.format(**record)
    for response in (anon_client.get(path), anon_client.post(path, {"name": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("url", READ_URLS)
def test_a_viewer_can_read(viewer_client, record, url):
    assert viewer_client.get(url.format(**record)).status_code == 200


@pytest.mark.parametrize("url", WRITE_URLS)
def test_a_viewer_is_refused_every_write_page_and_changes_nothing(viewer_client, record, url):
    path = url.format(**record)
    assert viewer_client.get(path).status_code == 403
    assert viewer_client.post(path, {"name": "Changed", "left_on": "2025-01-01"}).status_code == 403
    assert viewer_client.post(path, {"name": "Changed"}, HTTP_HX_REQUEST="true").status_code == 403
    assert Account.objects.filter(pk=record["a"], name="Acme Corp").exists()
    assert Contact.objects.get(pk=record["c"]).status == "active"
    assert Task.objects.get(pk=record["t"]).status == TaskStatus.OPEN
    assert Account.objects.count() == 1


@pytest.mark.parametrize("persona", ["csm_client", "leader_client", "other_csm_client"])
@pytest.mark.parametrize("url", WRITE_URLS)
def test_csms_and_leaders_may_open_every_write_page(request, persona, record, url):
    client = request.getfixturevalue(persona)
    expected = 405 if url in POST_ONLY else 200
    assert client.get(url.format(**record)).status_code == expected


@pytest.mark.parametrize("persona", ["csm_client", "leader_client", "other_csm_client"])
def test_csms_and_leaders_may_change_an_account(request, persona, account):
    client = request.getfixturevalue(persona)
    response = client.post(f"/accounts/{account.pk}/edit/", {
        "name": f"Acme by {persona}", "segment": "smb", "tier": "3", "lifecycle_stage": "adoption",
        "owner": account.owner_id, "currency": "USD"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name == f"Acme by {persona}"
    assert account.owner_id is not None


def test_a_csm_of_another_book_may_complete_a_task_on_any_account(other_csm_client, record, other_csm):
    response = other_csm_client.post(f"/accounts/{record['a']}/tasks/{record['t']}/complete/")
    assert response.status_code == 302
    task = Task.objects.get(pk=record["t"])
    assert task.status == TaskStatus.DONE


def test_a_csm_of_another_book_can_open_the_account(other_csm_client, account):
    response = other_csm_client.get(f"/accounts/{account.pk}/")
    assert response.status_code == 200
    assert f'href="/accounts/{account.pk}/edit/"' in response.content.decode()
