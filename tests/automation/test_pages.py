"""The automation pages by persona: everyone reads rules and playbooks, leaders edit them, CSMs
snooze and start playbooks on accounts, viewers only read, the anonymous are sent to log in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from paceline.automation.models import Firing, PlaybookRun, Rule, Snooze
from tests.automation.factories import make_playbook, make_rule
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

RULES = reverse("automation:rules")


def _rule_post(**overrides):
    data = {"name": "Renewal ahead", "description": "", "active": "on", "trigger": "renewal_in", "tp-days": "60",
            "cap_count": "1", "cap_days": "7",
            "cond-1-field": "segment", "cond-1-op": "eq", "cond-1-value": "enterprise",
            "cond-2-field": "", "cond-2-op": "eq", "cond-2-value": "",
            "act-1-type": "create_task", "act-1-p-title": "Prepare the renewal of {account}",
            "act-1-p-due_in_days": "5", "act-1-p-priority": "high", "act-1-p-owner_role": "owner",
            "act-2-type": ""}
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_log_in(anon_client):
    response = anon_client.get(RULES)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_everyone_signed_in_reads_the_rules_with_their_description(viewer_client, leader):
    make_rule(leader, conditions=[{"field": "segment", "op": "eq", "value": "enterprise"}])
    page = viewer_client.get(RULES).content.decode()
    assert "Quiet accounts" in page and "No conversation for N days (Days: 30)" in page
    assert "Segment is enterprise" in page and "Create a task" in page
    assert "New rule" not in page  # a viewer is not offered the editor


def test_a_leader_creates_a_rule_from_the_editor(leader_client):
    response = leader_client.post(reverse("automation:rule_new"), _rule_post())
    rule = Rule.objects.get(name="Renewal ahead")
    assert response.status_code == 302 and response["Location"] == reverse("automation:rule", args=[rule.pk])
    assert rule.trigger_params == {"days": 60}
    assert rule.conditions == [{"field": "segment", "op": "eq", "value": "enterprise"}]
    assert rule.actions[0]["params"]["title"] == "Prepare the renewal of {account}"


def test_each_error_shows_on_its_row_and_nothing_is_saved(leader_client):
    data = _rule_post(**{"tp-days": "-3", "cond-1-value": "galactic", "act-1-p-title": ""})
    response = leader_client.post(reverse("automation:rule_new"), data)
    page = response.content.decode()
    assert response.status_code == 400 and not Rule.objects.exists()
    assert 'data-error="conditions[1].value"' in page and "galactic" in page
    assert "Use at least 0." in page  # trigger_params.days, next to its field
    assert "This is required." in page  # actions[1].params.title


def test_changing_the_trigger_swaps_in_its_parameters(leader_client):
    response = leader_client.get(reverse("automation:trigger_params"), {"trigger": "key_contact_left"},
                                 HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="trigger-params"' in page
    assert 'name="tp-roles"' in page and 'name="tp-days"' not in page and "<html" not in page


def test_changing_an_action_type_swaps_in_its_parameters(leader_client):
    response = leader_client.get(reverse("automation:action_params", args=[2]), {"act-2-type": "notify"})
    page = response.content.decode()
    assert 'id="action-params-2"' in page and 'name="act-2-p-channel"' in page and 'name="act-2-p-title"' not in page


@pytest.mark.parametrize("persona", ["csm_client", "viewer_client"])
def test_only_leaders_edit_rules(request, persona, leader):
    client = request.getfixturevalue(persona)
    rule = make_rule(leader)
    assert client.get(reverse("automation:rule_new")).status_code == 403
    assert client.post(reverse("automation:rule_new"), _rule_post()).status_code == 403
    assert client.post(reverse("automation:rule_toggle", args=[rule.pk])).status_code == 403
    assert client.post(reverse("automation:rule_delete", args=[rule.pk])).status_code == 403
    assert client.post(reverse("automation:rules_run_now")).status_code == 403
    assert Rule.objects.get(pk=rule.pk).active


def test_a_leader_switches_off_and_deletes_a_rule(leader_client, leader):
    rule = make_rule(leader)
    leader_client.post(reverse("automation:rule_toggle", args=[rule.pk]))
    assert not Rule.objects.get(pk=rule.pk).active
    leader_client.post(reverse("automation:rule_delete", args=[rule.pk]))
    assert not Rule.objects.filter(pk=rule.pk).exists()


def test_run_now_runs_the_scheduled_rules(leader_client, leader):
    rule = make_rule(leader, trigger="renewal_in", trigger_params={"days": 30})
    renewing = AccountFactory(next_renewal_date=timezone.localdate() + dt.timedelta(days=20))
    response = leader_client.post(reverse("automation:rules_run_now"))
    assert response.status_code == 302
    assert Firing.objects.filter(rule=rule, account=renewing).count() == 1


def test_the_rule_page_shows_the_firing_log_with_why_and_filters_by_status(viewer_client, leader):
    rule = make_rule(leader)
    acme, beta = AccountFactory(name="Acme"), AccountFactory(name="Beta")
    now = timezone.now()
    Firing.objects.create(rule=rule, account=acme, cause="silent-since:never", fired_at=now,
                          why={"days_quiet": 41}, outcome=[{"ok": False, "action": "notify", "error": "No channel"}],
                          status="failed")
    Firing.objects.create(rule=rule, account=beta, cause="silent-since:x", fired_at=now, why={}, status="capped")
    page = viewer_client.get(reverse("automation:rule", args=[rule.pk])).content.decode()
    assert "days quiet 41" in page and "No channel" in page and "Acme" in page and "Beta" in page
    failed = viewer_client.get(reverse("automation:rule", args=[rule.pk]), {"status": "failed"}).content.decode()
    assert "Acme" in failed and "Beta" not in failed


def test_the_rule_list_costs_the_same_queries_for_more_rules(viewer_client, leader):
    make_rule(leader, name="One")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert viewer_client.get(RULES).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(5):
        make_rule(leader, name=f"Rule {i}")
    assert count() == few


def test_a_csm_snoozes_a_rule_for_an_account_and_wakes_it(csm_client, leader, account):
    rule = make_rule(leader)
    until = timezone.localdate() + dt.timedelta(days=10)
    csm_client.post(reverse("automation:snooze_set", args=[account.pk]),
                    {"rule": rule.pk, "until": until.isoformat(), "reason": "Merger under way"})
    snooze = Snooze.objects.get(rule=rule, account=account)
    assert snooze.until == until and snooze.reason == "Merger under way"
    page = csm_client.get(reverse("customers:account", args=[account.pk])).content.decode()
    assert "Merger under way" in page
    csm_client.post(reverse("automation:snooze_clear", args=[account.pk, snooze.pk]))
    assert not Snooze.objects.exists()


def test_a_snooze_in_the_past_is_refused_with_the_reason(csm_client, leader, account):
    rule = make_rule(leader)
    response = csm_client.post(reverse("automation:snooze_set", args=[account.pk]),
                               {"rule": rule.pk, "until": "2000-01-01"}, follow=True)
    assert "Snooze until a day that has not passed." in response.content.decode() and not Snooze.objects.exists()


@pytest.mark.parametrize("persona", ["csm_client", "other_csm_client"])
def test_writers_start_and_cancel_a_playbook_from_the_account(request, persona, leader, account):
    client = request.getfixturevalue(persona)
    playbook = make_playbook(leader)
    client.post(reverse("automation:playbook_start", args=[account.pk]), {"playbook": playbook.pk})
    run = PlaybookRun.objects.get(account=account)
    page = client.get(reverse("customers:account", args=[account.pk])).content.decode()
    assert f'id="run-{run.pk}"' in page and 'aria-label="0 of 2 done"' in page
    client.post(reverse("automation:run_cancel", args=[run.pk]))
    assert PlaybookRun.objects.get(pk=run.pk).status == "cancelled"


def test_a_viewer_cannot_snooze_or_start_a_playbook(viewer_client, leader, account):
    rule, playbook = make_rule(leader), make_playbook(leader)
    until = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert viewer_client.post(reverse("automation:snooze_set", args=[account.pk]),
                              {"rule": rule.pk, "until": until}).status_code == 403
    assert viewer_client.post(reverse("automation:playbook_start", args=[account.pk]),
                              {"playbook": playbook.pk}).status_code == 403
    page = viewer_client.get(reverse("customers:account", args=[account.pk])).content.decode()
    assert "Automation" in page and 'name="until"' not in page
    assert not Snooze.objects.exists() and not PlaybookRun.objects.exists()
