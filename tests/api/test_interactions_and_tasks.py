from __future__ import annotations

import datetime as dt

from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.customers.models import Interaction, Task
from tests.api.conftest import error_fields
from tests.factories import AccountFactory, ContactFactory, InteractionFactory, TaskFactory

# Interactions -----------------------------------------------------------------------------------


def test_logging_an_interaction_with_participants_on_both_sides(csm_api, csm, other_csm, account):
    ann = ContactFactory(account=account, name="Ann")
    bob = ContactFactory(account=account, name="Bob")
    response = csm_api.post(
        "/interactions",
        {
            "account_id": account.pk,
            "kind": "qbr",
            "occurred_at": "2025-03-01T14:00:00Z",
            "subject": "Q1 business review",
            "summary": "Renewal looks safe.",
            "sentiment": "positive",
            "contact_ids": [ann.pk, bob.pk],
            "user_ids": [csm.pk, other_csm.pk],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["contact_ids"] == sorted([ann.pk, bob.pk])
    assert body["user_ids"] == sorted([csm.pk, other_csm.pk])
    assert body["occurred_at"].startswith("2025-03-01T14:00:00")
    interaction = Interaction.objects.get()
    assert (interaction.kind, interaction.created_by, interaction.sentiment) == ("qbr", csm, "positive")
    assert set(interaction.contacts.all()) == {ann, bob}
    entry = AuditEntry.objects.get(target_type="customers.interaction")
    assert entry.after["contact_ids"] == sorted([ann.pk, bob.pk])


def test_participants_must_exist_and_belong_to_the_account(csm_api, account):
    stranger = ContactFactory(account=AccountFactory())
    base = {"account_id": account.pk, "kind": "call", "occurred_at": "2025-03-01T14:00:00Z", "subject": "Call"}
    foreign = csm_api.post("/interactions", base | {"contact_ids": [stranger.pk]})
    assert foreign.status_code == 422
    assert error_fields(foreign) == {"contact_ids"}
    missing = csm_api.post("/interactions", base | {"user_ids": [424242]})
    assert missing.status_code == 422
    assert error_fields(missing) == {"user_ids"}
    assert "424242" in missing.json()["detail"][0]["msg"]
    assert not Interaction.objects.exists()
    assert not AuditEntry.objects.filter(target_type__startswith="customers.").exists()


def test_a_moment_without_a_time_zone_is_refused(csm_api, account):
    response = csm_api.post(
        "/interactions",
        {"account_id": account.pk, "kind": "call", "occurred_at": "2025-03-01T14:00:00", "subject": "Call"},
    )
    assert response.status_code == 422
    assert error_fields(response) == {"occurred_at"}


def test_the_timeline_list_filters(csm_api, account):
    ann = ContactFactory(account=account)
    now = timezone.now()
    old_call = InteractionFactory(account=account, kind="call", occurred_at=now - dt.timedelta(days=40))
    recent_email = InteractionFactory(account=account, kind="email", occurred_at=now - dt.timedelta(days=2))
    recent_email.contacts.add(ann)
    InteractionFactory(account=AccountFactory(), kind="email")

    def ids(**params):
        return [i["id"] for i in csm_api.get("/interactions", params).json()["items"]]

    assert ids(account_id=account.pk) == [recent_email.pk, old_call.pk]
    assert ids(account_id=account.pk, kind="call") == [old_call.pk]
    since = (now - dt.timedelta(days=10)).isoformat()
    assert ids(account_id=account.pk, occurred_after=since) == [recent_email.pk]
    assert ids(account_id=account.pk, occurred_before=since) == [old_call.pk]
    assert ids(contact_id=ann.pk) == [recent_email.pk]


def test_patch_replaces_the_participants_and_upsert_is_idempotent(csm_api, account):
    ann = ContactFactory(account=account)
    interaction = InteractionFactory(account=account)
    interaction.contacts.add(ann)
    cleared = csm_api.patch(f"/interactions/{interaction.pk}", {"contact_ids": [], "sentiment": "negative"})
    assert cleared.status_code == 200
    assert (cleared.json()["contact_ids"], cleared.json()["sentiment"]) == ([], "negative")

    payload = {"account_id": account.pk, "kind": "email", "occurred_at": "2025-03-01T09:00:00+01:00",
               "subject": "Hello", "contact_ids": [ann.pk]}
    first = csm_api.put("/interactions/by-external-id/gmail-1", payload)
    second = csm_api.put("/interactions/by-external-id/gmail-1", payload)
    assert (first.status_code, second.status_code) == (201, 200)
    assert Interaction.objects.filter(external_id="gmail-1").count() == 1
    assert csm_api.delete(f"/interactions/{first.json()['id']}").status_code == 204
    assert not Interaction.objects.filter(external_id="gmail-1").exists()


# Tasks ------------------------------------------------------------------------------------------


def test_creating_a_task_defaults_its_source_to_the_api(csm_api, csm, account):
    response = csm_api.post(
        "/tasks",
        {"account_external_id": "acme", "title": "Plan the QBR", "owner_id": csm.pk, "due_date": "2025-06-30",
         "priority": "high"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["source"], body["owner_id"], body["due_date"], body["priority"]) == (
        "api", csm.pk, "2025-06-30", "high"
    )
    assert Task.objects.get().created_by == csm


def test_the_task_list_filters_by_owner_and_due_date(csm_api, csm, other_csm, account):
    today = timezone.localdate()
    mine = TaskFactory(account=account, owner=csm, due_date=today + dt.timedelta(days=3))
    theirs = TaskFactory(account=account, owner=other_csm, due_date=today + dt.timedelta(days=30))
    unowned = TaskFactory(account=account, owner=None, due_date=today - dt.timedelta(days=1), status="done")

    def ids(**params):
        return [t["id"] for t in csm_api.get("/tasks", params).json()["items"]]

    assert ids(owner="me") == [mine.pk]
    assert ids(owner="none") == [unowned.pk]
    assert ids(owner=str(other_csm.pk)) == [theirs.pk]
    assert ids(due_before=(today + dt.timedelta(days=7)).isoformat()) == [unowned.pk, mine.pk]
    assert ids(due_after=today.isoformat(), status="open") == [mine.pk, theirs.pk]
    assert ids(account_id=account.pk, status="done") == [unowned.pk]


def test_completing_a_task_stamps_it(csm_api, account):
    task = TaskFactory(account=account)
    response = csm_api.patch(f"/tasks/{task.pk}", {"status": "done"})
    assert response.status_code == 200
    assert response.json()["completed_at"] is not None
    task.refresh_from_db()
    assert task.completed_at is not None


def test_task_upsert_get_and_delete(csm_api, account):
    payload = {"account_id": account.pk, "title": "Send renewal quote"}
    first = csm_api.put("/tasks/by-external-id/t-1", payload)
    second = csm_api.put("/tasks/by-external-id/t-1", payload | {"priority": "urgent"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert Task.objects.get().priority == "urgent"
    assert csm_api.get("/tasks/by-external-id/t-1").json()["title"] == "Send renewal quote"
    assert csm_api.get(f"/tasks/{first.json()['id']}").json()["priority"] == "urgent"
    assert csm_api.delete(f"/tasks/{first.json()['id']}").status_code == 204
    assert not Task.objects.exists()


def test_an_unknown_owner_is_named(csm_api, account):
    response = csm_api.post("/tasks", {"account_id": account.pk, "title": "X", "owner_id": 999999})
    assert response.status_code == 422
    assert error_fields(response) == {"owner_id"}
    assert not Task.objects.exists()
