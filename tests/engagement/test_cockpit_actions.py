"""One-click actions from My work: HTMX row swaps, plain POST + redirect, and refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from paceline.core.models import AuditEntry
from paceline.customers.models import Interaction, TaskStatus
from paceline.engagement.models import TouchpointStatus
from tests.engagement.cockpit_factories import account_with, days, task, today, touchpoint

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mine(csm):
    account = account_with(owner=csm, name="Acme Corp")
    return {
        "task": task(account=account, owner=csm, due=-3, title="Send the quote"),
        "tp": touchpoint(account=account, owner=csm, due=1, name="Quarterly review"),
    }


def test_complete_a_task_swaps_its_row(csm_client, mine):
    t = mine["task"]
    response = csm_client.post(f"/work/tasks/{t.pk}/complete/", {"next": "/work/"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="work-task-{t.pk}"' in html and "Completed “Send the quote”." in html
    t.refresh_from_db()
    assert t.status == TaskStatus.DONE and t.completed_at is not None


def test_complete_without_javascript_redirects_back(csm_client, mine):
    t = mine["task"]
    response = csm_client.post(f"/work/tasks/{t.pk}/complete/", {"next": "/work/?days=30"})
    assert response.status_code == 302 and response["Location"] == "/work/?days=30"
    t.refresh_from_db()
    assert t.status == TaskStatus.DONE
    page = csm_client.get(response["Location"]).content.decode()
    assert "Completed “Send the quote”." in page
    assert f'id="work-task-{t.pk}"' not in page


def test_the_redirect_stays_on_this_site(csm_client, mine):
    response = csm_client.post(f"/work/tasks/{mine['task'].pk}/complete/", {"next": "https://evil.example/"})
    assert response["Location"] == "/work/"


@pytest.mark.parametrize(("choice", "expected"), [("1", 1), ("7", 7)])
def test_snooze_moves_a_late_task_from_today_and_is_audited(csm_client, mine, choice, expected):
    t = mine["task"]
    response = csm_client.post(f"/work/tasks/{t.pk}/snooze/", {"days": choice}, **HX)
    assert response.status_code == 200
    t.refresh_from_db()
    assert t.due_date == today() + dt.timedelta(days=expected)
    assert f"Snoozed “Send the quote” to {t.due_date:%Y-%m-%d}." in response.content.decode()
    entry = AuditEntry.objects.filter(target_type="customers.task", target_id=str(t.pk)).latest("at")
    assert entry.after["due_date"] == t.due_date.isoformat()
    assert entry.before["due_date"] == days(-3).isoformat()


def test_snooze_counts_from_the_due_date_when_it_is_ahead(csm, csm_client):
    t = task(account=account_with(owner=csm), owner=csm, due=3)
    csm_client.post(f"/work/tasks/{t.pk}/snooze/", {"days": "7"})
    t.refresh_from_db()
    assert t.due_date == days(10)


def test_a_bad_snooze_names_the_field_and_changes_nothing(csm_client, mine):
    t = mine["task"]
    response = csm_client.post(f"/work/tasks/{t.pk}/snooze/", {"days": "30"}, **HX)
    assert response.status_code == 400
    assert "Days: Select a valid choice." in response.content.decode()
    t.refresh_from_db()
    assert t.due_date == days(-3)


def test_reassign_a_task_and_a_touchpoint(csm_client, mine, other_csm):
    for kind, obj in (("tasks", mine["task"]), ("touchpoints", mine["tp"])):
        response = csm_client.post(f"/work/{kind}/{obj.pk}/reassign/", {"owner": other_csm.pk}, **HX)
        assert response.status_code == 200
        assert "to Olga Other." in response.content.decode()
        obj.refresh_from_db()
        assert obj.owner == other_csm
    assert "Send the quote" not in csm_client.get("/work/").content.decode()


def test_reassign_only_to_an_active_csm_or_leader(csm_client, mine, viewer):
    t = mine["task"]
    response = csm_client.post(f"/work/tasks/{t.pk}/reassign/", {"owner": viewer.pk}, **HX)
    assert response.status_code == 400
    assert "Owner: Choose an active CSM or CS leader." in response.content.decode()
    t.refresh_from_db()
    assert t.owner.username == "carl"


def test_complete_a_touchpoint_logs_the_conversation(csm_client, mine, csm):
    tp = mine["tp"]
    response = csm_client.post(f"/work/touchpoints/{tp.pk}/complete/", {"result": "Agreed the Q3 goals."}, **HX)
    assert response.status_code == 200
    assert "Kept “Quarterly review”" in response.content.decode()
    tp.refresh_from_db()
    assert tp.status == TouchpointStatus.KEPT and tp.result == "Agreed the Q3 goals."
    interaction = Interaction.objects.get(pk=tp.interaction_id)
    assert interaction.summary == "Agreed the Q3 goals." and interaction.account_id == tp.account_id
    assert list(interaction.users.all()) == [csm]


def test_a_touchpoint_needs_its_result(csm_client, mine):
    tp = mine["tp"]
    response = csm_client.post(f"/work/touchpoints/{tp.pk}/complete/", {"result": "  "}, **HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Result: Say what came of it" in html and f'id="work-touchpoint-{tp.pk}"' in html
    tp.refresh_from_db()
    assert tp.status == TouchpointStatus.PLANNED and not Interaction.objects.exists()
    page = csm_client.post(f"/work/touchpoints/{tp.pk}/complete/", {"result": ""})
    assert page.status_code == 400 and "Result: Say what came of it" in page.content.decode()


def test_a_closed_item_is_not_found(csm_client, mine):
    t = mine["task"]
    t.status = TaskStatus.DONE
    t.save()
    assert csm_client.post(f"/work/tasks/{t.pk}/complete/", **HX).status_code == 404


ACTIONS = [
    ("tasks", "task", "complete", {}),
    ("tasks", "task", "snooze", {"days": "1"}),
    ("tasks", "task", "reassign", "owner"),
    ("touchpoints", "tp", "complete", {"result": "Done."}),
    ("touchpoints", "tp", "reassign", "owner"),
]


@pytest.mark.parametrize(("path", "key", "verb", "data"), ACTIONS)
def test_who_must_not_act_is_refused(path, key, verb, data, mine, other_csm, other_csm_client, viewer_client,
                                     anon_client):
    data = {"owner": other_csm.pk} if data == "owner" else data
    obj = mine[key]
    url = f"/work/{path}/{obj.pk}/{verb}/"
    assert other_csm_client.post(url, data, **HX).status_code == 403
    assert viewer_client.post(url, data, **HX).status_code == 403
    response = anon_client.post(url, data)
    assert response.status_code == 302 and "/login/" in response["Location"]
    before = obj.__class__.objects.get(pk=obj.pk)
    assert (before.status, before.owner_id, before.due_date) == (obj.status, obj.owner_id, obj.due_date)


@pytest.mark.parametrize(("path", "key", "verb", "data"), ACTIONS)
def test_a_leader_acts_on_anyones(path, key, verb, data, mine, leader, leader_client):
    data = {"owner": leader.pk} if data == "owner" else data
    response = leader_client.post(f"/work/{path}/{mine[key].pk}/{verb}/", data, **HX)
    assert response.status_code == 200
    assert "work-item done" in response.content.decode()


def test_a_refusal_without_javascript_keeps_the_leaders_team_view(leader_client, mine):
    tp = mine["tp"]
    response = leader_client.post(f"/work/touchpoints/{tp.pk}/complete/", {"result": "", "next": "/work/team/"})
    assert response.status_code == 400
    assert response.context["team"] is True and "Who is behind" in response.content.decode()
    assert 'name="next" value="/work/team/"' in response.content.decode()
