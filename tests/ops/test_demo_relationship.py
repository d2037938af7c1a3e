"""The demo's touchpoint plans, catalogue, rules and firing history: kept and missed as the app's own
rules say, rules that validate, firings made by the engine with their why and outcome, the same on
every load, and a demo that loads once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from paceline.automation.models import Escalation, Firing, FiringStatus, PlaybookRun, Rule
from paceline.automation.services import rule_clean
from paceline.automation.tasks import CURSOR as RULES_CURSOR
from paceline.core.models import ActivityEvent, OutboxCursor
from paceline.customers.models import Account, InteractionKind, LifecycleStage, Task, TaskStatus
from paceline.engagement.models import (
    ANY_KIND,
    Need,
    Resource,
    Touchpoint,
    TouchpointPlan,
    TouchpointStatus,
)
from paceline.engagement.services import current_term_start, plan_for
from paceline.engagement.tasks import CURSOR as TOUCHPOINTS_CURSOR
from paceline.ops.demo import DemoConfig, load_demo
from tests.ops.conftest import ANCHOR

# These two load books of their own: they run before the module's shared book is loaded.


def _fingerprint(anchor: dt.date) -> list:
    rows = [("tp", t.account.external_id, t.name, (t.due_date - anchor).days, t.status, t.result)
            for t in Touchpoint.objects.select_related("account").order_by("account__external_id", "due_date", "name")]
    for f in Firing.objects.select_related("rule", "account").order_by("rule__name", "account__external_id", "cause"):
        outcome = [{k: v for k, v in o.items() if not k.endswith("_id")} for o in f.outcome]
        rows.append(("firing", f.rule.name, f.account.external_id, f.status, f.why, outcome))
    return rows


@pytest.mark.django_db
def test_two_loads_of_the_same_seed_give_the_same_plans_and_firings():
    prints = []
    for _ in range(2):
        with transaction.atomic():
            load_demo(DemoConfig(accounts=30, anchor=ANCHOR))
            prints.append(_fingerprint(ANCHOR))
            transaction.set_rollback(True)
    assert prints[0] == prints[1] and len(prints[0]) > 100


@pytest.mark.django_db
def test_the_demo_command_twice_loads_rules_plans_and_firings_once():
    def run() -> dict[str, int]:
        call_command("demo", "--no-serve", "--accounts", "20", stdout=StringIO())
        return {m.__name__: m.objects.count() for m in (Rule, TouchpointPlan, Touchpoint, Firing, Resource)}

    first = run()
    assert run() == first and first["Rule"] == 10 and first["Touchpoint"] > 50


@pytest.fixture(scope="module")
def small_book(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(DemoConfig(accounts=60, anchor=ANCHOR))
        transaction.set_rollback(True)


@pytest.fixture
def book(small_book, db):
    return small_book


def test_every_live_account_has_its_segments_plan_on_its_current_term(book):
    assert TouchpointPlan.objects.count() == 3
    live = Account.objects.exclude(lifecycle_stage=LifecycleStage.CHURNED)
    assert live.count() > 30
    for account in live:
        start = current_term_start(account, today=ANCHOR)
        plan = plan_for(account)
        assert Touchpoint.objects.filter(account=account, plan=plan, term_start=start, source="plan").exists(), account
    # Past terms too: more than one term start on some accounts.
    starts = Touchpoint.objects.filter(source="plan").values("account", "term_start").distinct().count()
    assert starts > live.count()


def test_kept_touchpoints_have_a_matching_interaction_inside_their_window(book):
    kept = Touchpoint.objects.filter(status=TouchpointStatus.KEPT).select_related("interaction")
    assert kept.count() > 100
    for tp in kept:
        interaction = tp.interaction
        assert interaction is not None and interaction.account_id == tp.account_id
        assert interaction.kind != InteractionKind.NOTE
        assert tp.kind in (ANY_KIND, interaction.kind)
        day = timezone.localdate(interaction.occurred_at)
        assert tp.window_start <= day <= tp.window_end
        assert tp.result == interaction.summary.strip() and tp.result
        assert tp.closed_on == day


def test_missed_touchpoints_had_their_window_pass_and_open_ones_have_not(book):
    missed = Touchpoint.objects.filter(status=TouchpointStatus.MISSED)
    assert missed.count() > 20
    for tp in missed:
        assert tp.window_end < ANCHOR and tp.interaction_id is None and tp.closed_on == tp.window_end
    for tp in Touchpoint.objects.filter(status=TouchpointStatus.PLANNED):
        assert tp.window_end >= ANCHOR
    # An interaction keeps at most one touchpoint.
    linked = list(Touchpoint.objects.exclude(interaction=None).values_list("interaction_id", flat=True))
    assert len(linked) == len(set(linked))


def test_churn_bound_accounts_miss_more_of_their_plan(book):
    def missed_share(accounts) -> float:
        closed = Touchpoint.objects.filter(account__in=accounts, status__in=[TouchpointStatus.KEPT,
                                                                             TouchpointStatus.MISSED])
        return closed.filter(status=TouchpointStatus.MISSED).count() / max(1, closed.count())

    churned = Account.objects.filter(lifecycle_stage=LifecycleStage.CHURNED)
    assert missed_share(churned) > missed_share(Account.objects.exclude(pk__in=churned))


def test_catalogue_has_gaps_and_needs_are_open_and_met(book):
    assert Resource.objects.count() >= 15
    assert not Resource.objects.filter(areas__key="data_migration").exists()
    assert {"open", "met"} <= set(Need.objects.values_list("status", flat=True))
    for need in Need.objects.filter(status="met"):
        assert need.met_on >= need.opened_on and need.met_on < ANCHOR


def test_default_rules_all_validate(book):
    rules = list(Rule.objects.all())
    assert len(rules) == 10
    for rule in rules:
        fields = {name: getattr(rule, name) for name in ("name", "trigger", "trigger_params", "conditions", "actions")}
        assert rule_clean(fields)["actions"] == rule.actions


def test_firings_were_made_by_the_engine_with_why_and_outcome(book):
    firings = Firing.objects.select_related("rule")
    assert firings.count() > 30
    assert len({f.rule.trigger for f in firings}) >= 4
    start = dt.datetime.combine(ANCHOR, dt.time(), dt.UTC)
    for f in firings:
        assert f.fired_at < start and f.why
        if f.status == FiringStatus.DONE:
            assert f.outcome and all(o["ok"] for o in f.outcome)
            assert {o["action"] for o in f.outcome} == {a["type"] for a in f.rule.actions}
    task_ids = [o["task_id"] for f in firings for o in f.outcome if o.get("action") == "create_task"]
    tasks = Task.objects.filter(pk__in=task_ids)
    assert tasks.count() == len(task_ids) and all(t.created_at < start for t in tasks)
    # Older tasks were mostly done; none was done before it was made or after the anchor.
    old = tasks.filter(due_date__lt=ANCHOR - dt.timedelta(days=30))
    assert old.filter(status=TaskStatus.DONE).count() > 0.6 * old.count()
    for t in tasks.filter(status=TaskStatus.DONE):
        assert t.created_at.date() <= t.completed_at.date() < ANCHOR
    assert Escalation.objects.filter(firing__isnull=False).count() > 3
    assert PlaybookRun.objects.filter(firing__isnull=False).exists()
    assert all(e.created_at < start for e in Escalation.objects.all())


def test_the_outbox_readers_start_after_the_demo(book):
    last = ActivityEvent.objects.order_by("-id").values_list("id", flat=True).first()
    for name in (RULES_CURSOR, TOUCHPOINTS_CURSOR):
        assert OutboxCursor.objects.get(name=name).last_id >= last - 1  # all but the load's own marker
