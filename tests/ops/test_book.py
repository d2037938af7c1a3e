"""The demo book (one load per module, read by every test): its shape, its derived fields, its signal.

The signal tests measure the generated rows the way a health score would: for each core renewal
decision, what was visible in the 180 days before it. Before a churn the relationship must
measurably differ from before a renewal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from statistics import mean

import pytest

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.customers.models import (
    Account,
    Contact,
    ContactLevel,
    ContactRole,
    Interaction,
    LifecycleStage,
    RenewalKind,
    RenewalOutcome,
    Subscription,
    SubscriptionStatus,
    Task,
)
from paceline.customers.services import account_refresh_commercials
from paceline.ops.demo import DemoConfig, World, company, loaded_demo
from paceline.users.models import Role, User
from tests.ops.conftest import ANCHOR


def test_the_default_company_has_about_500_accounts_in_three_segments_with_hierarchies():
    plans = company.plan(World(DemoConfig(anchor=ANCHOR)))
    assert len(plans) == 500
    segments = Counter(p.segment for p in plans)
    assert segments["smb"] > segments["mid_market"] > segments["enterprise"] >= 50
    children = Counter(p.parent for p in plans if p.parent is not None)
    assert 20 <= len(children) <= 30
    assert set(children.values()) <= {2, 3, 4, 5}
    assert all(plans[parent].segment == "enterprise" for parent in children)
    ages = [-p.fate.start for p in plans]
    assert sum(730 <= a <= 1095 for a in ages) / len(ages) > 0.55
    assert max(ages) <= 1095


def test_the_book_has_the_expected_shape(book):
    users = Counter(User.objects.values_list("role", flat=True))
    assert users == {Role.LEADER: 2, Role.CSM: 5, Role.VIEWER: 1}
    assert Account.objects.count() == 120
    per_account = Counter(Contact.objects.filter(left_on__isnull=True).values_list("account_id", flat=True))
    founders = Counter(Contact.objects.values_list("account_id", flat=True))
    assert all(3 <= n <= 11 for n in founders.values())  # 3-10, plus a successor champion
    assert min(per_account.values()) >= 1  # the executive never leaves
    assert Contact.objects.filter(reports_to__isnull=False).count() > 0.7 * Contact.objects.count()
    levels = Counter(Contact.objects.values_list("level", flat=True))
    assert set(levels) == {"executive", "director", "manager", "individual"}
    roles = Counter(r for roles in Contact.objects.values_list("roles", flat=True) for r in roles)
    assert set(roles) == set(ContactRole.values)
    assert Contact.objects.filter(status="left").exists()
    owners = Counter(Account.objects.values_list("owner__role", flat=True))
    assert owners[Role.CSM] > 100
    kinds = set(Interaction.objects.values_list("kind", flat=True))
    assert kinds == {"email", "call", "meeting", "qbr", "event", "note"}
    outcomes = set(RenewalOutcome.objects.values_list("outcome", flat=True))
    assert outcomes == set(RenewalKind.values)
    statuses = set(Task.objects.values_list("status", flat=True))
    assert statuses == {"open", "done", "cancelled"}
    assert Task.objects.filter(status="open", due_date__lt=ANCHOR).exists()
    assert Interaction.objects.filter(occurred_at__date__gte=ANCHOR).count() == 0


def test_the_history_spans_two_to_three_years(book):
    first = Subscription.objects.order_by("start_date").first().start_date
    assert 2 * 365 <= (ANCHOR - first).days <= 3 * 365 + 30
    renewed = Account.objects.filter(renewal_outcomes__isnull=False).distinct().count()
    assert renewed > 0.7 * Account.objects.count()


def test_derived_commercials_agree_with_the_service(book):
    stored = {a.pk: (a.arr, a.mrr, a.next_renewal_date) for a in Account.objects.all()}
    assert any(arr > 0 for arr, _, _ in stored.values())
    for account in Account.objects.all():
        refreshed = account_refresh_commercials(account=account, today=ANCHOR)
        assert (refreshed.arr, refreshed.mrr, refreshed.next_renewal_date) == stored[account.pk], account.name


def test_lifecycle_stages_follow_the_contracts(book):
    for account in Account.objects.prefetch_related("subscriptions", "renewal_outcomes"):
        subs = list(account.subscriptions.all())
        active = [s for s in subs if s.status == SubscriptionStatus.ACTIVE]
        age = (ANCHOR - min(s.start_date for s in subs)).days
        if account.lifecycle_stage == LifecycleStage.CHURNED:
            assert not active and account.arr == Decimal("0")
            assert any(o.outcome == RenewalKind.CHURNED for o in account.renewal_outcomes.all())
            continue
        assert active and account.arr > 0
        if account.lifecycle_stage == LifecycleStage.ONBOARDING:
            assert age < 90
        elif account.lifecycle_stage == LifecycleStage.ADOPTION:
            assert not account.renewal_outcomes.exists() and age >= 90
        elif account.lifecycle_stage == LifecycleStage.MATURITY:
            assert account.renewal_outcomes.exists()
            assert (account.next_renewal_date - ANCHOR).days > 120
        else:
            assert account.lifecycle_stage == LifecycleStage.RENEWAL
            assert account.next_renewal_date is None or (account.next_renewal_date - ANCHOR).days <= 120


def test_renewal_outcomes_match_their_arr(book):
    for outcome in RenewalOutcome.objects.all():
        outcome.clean()  # raises if the kind does not match ARR before and after
    core = RenewalOutcome.objects.filter(subscription__product="Core platform")
    assert core.filter(outcome=RenewalKind.CHURNED, renewed_into__isnull=False).count() == 0
    assert core.exclude(outcome=RenewalKind.CHURNED).filter(renewed_into__isnull=True).count() == 0


def test_a_load_records_one_audit_entry_and_one_marker_event(book):
    assert AuditEntry.objects.count() == 1
    assert ActivityEvent.objects.filter(kind="demo.loaded").count() == 1
    # The other events are what the demo's rule firings did (tasks, escalations, playbooks), in the past.
    others = ActivityEvent.objects.exclude(kind="demo.loaded")
    assert not others.filter(occurred_at__date__gt=ANCHOR).exists()
    assert {k.split(".")[0] for k in others.values_list("kind", flat=True)} <= {"task", "escalation", "playbook", "interaction", "touchpoint"}
    marker = loaded_demo()
    assert marker["anchor"] == ANCHOR.isoformat()
    assert marker["counts"]["accounts"] == 120
    # Escalations add notes to the timeline after the interactions step counted its own.
    logged = Interaction.objects.exclude(kind="note", subject__startswith="Escalation:").count()
    assert AuditEntry.objects.get().after["counts"]["interactions"] == logged


def test_rows_carry_the_dates_of_the_story_and_the_timestamps_are_restored(book):
    oldest = Interaction.objects.order_by("occurred_at").first()
    assert oldest.created_at == oldest.occurred_at
    assert (ANCHOR - oldest.created_at.date()).days > 700
    assert Interaction._meta.get_field("created_at").auto_now_add is True
    assert Task._meta.get_field("updated_at").auto_now is True


# The signal ----------------------------------------------------------------------------------

WINDOW = 180


@dataclass
class Before:
    """What was visible in the window before one renewal decision."""

    outcome: str
    touches: int
    early: int  # first half of the window
    late: int  # second half
    executive: bool
    negative_share: float
    champion_left: bool
    overdue: int


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _windows() -> list[Before]:
    """Read everything once, then measure each window in memory (a few queries, not thousands)."""
    executives = set(Contact.objects.filter(level=ContactLevel.EXECUTIVE).values_list("pk", flat=True))
    with_executive = set(
        Interaction.contacts.through.objects.filter(contact_id__in=executives).values_list("interaction_id", flat=True)
    )
    touches: dict[int, list[tuple[dt.datetime, str, bool]]] = defaultdict(list)
    for pk, account_id, at, sentiment in Interaction.objects.exclude(kind="note").values_list(
        "pk", "account_id", "occurred_at", "sentiment"
    ):
        touches[account_id].append((at, sentiment, pk in with_executive))
    champions_left: dict[int, list[dt.date]] = defaultdict(list)
    for account_id, roles, left_on in Contact.objects.filter(left_on__isnull=False).values_list(
        "account_id", "roles", "left_on"
    ):
        if ContactRole.CHAMPION in roles:
            champions_left[account_id].append(left_on)
    tasks: dict[int, list[tuple]] = defaultdict(list)
    for account_id, due, created, completed in Task.objects.values_list("account_id", "due_date", "created_at", "completed_at"):
        tasks[account_id].append((due, created, completed))
    rows = []
    for decision in RenewalOutcome.objects.filter(subscription__product="Core platform").order_by("id"):
        end = _at(decision.decided_on)
        start, middle = end - dt.timedelta(days=WINDOW), end - dt.timedelta(days=WINDOW // 2)
        seen = [t for t in touches[decision.account_id] if start <= t[0] < end]
        toned = [t for t in seen if t[1]]
        rows.append(
            Before(
                outcome=decision.outcome,
                touches=len(seen),
                early=sum(t[0] < middle for t in seen),
                late=sum(t[0] >= middle for t in seen),
                executive=any(t[2] for t in seen),
                negative_share=sum(t[1] == "negative" for t in toned) / len(toned) if toned else 0.0,
                champion_left=any(
                    decision.decided_on - dt.timedelta(days=365) <= day < decision.decided_on
                    for day in champions_left[decision.account_id]
                ),
                overdue=sum(
                    due < decision.decided_on and created < end and (completed is None or completed >= end)
                    for due, created, completed in tasks[decision.account_id]
                ),
            )
        )
    return rows


_cache: dict[int, list[Before]] = {}


@pytest.fixture
def windows(book):
    if id(book) not in _cache:
        _cache[id(book)] = _windows()
    rows = _cache[id(book)]
    churned = [r for r in rows if r.outcome == RenewalKind.CHURNED]
    kept = [r for r in rows if r.outcome in (RenewalKind.RENEWED, RenewalKind.EXPANDED)]
    assert len(churned) >= 10 and len(kept) >= 80, "too few renewals to compare"
    return churned, kept


def test_churners_had_far_fewer_touches_before_the_decision(windows):
    churned, kept = windows
    assert mean(r.touches for r in churned) < 0.6 * mean(r.touches for r in kept)


def test_churners_touches_declined_toward_the_decision_and_renewers_did_not(windows):
    churned, kept = windows
    assert sum(r.late for r in churned) < 0.75 * sum(r.early for r in churned)
    assert sum(r.late for r in kept) > 0.85 * sum(r.early for r in kept)


def test_churners_rarely_had_an_executive_in_the_room(windows):
    churned, kept = windows
    assert mean(r.executive for r in churned) < mean(r.executive for r in kept) - 0.25


def test_negative_sentiment_rose_before_a_churn(windows):
    churned, kept = windows
    assert mean(r.negative_share for r in churned) > 2 * mean(r.negative_share for r in kept)


def test_champions_left_more_often_before_a_churn(windows):
    churned, kept = windows
    assert mean(r.champion_left for r in churned) > 3 * mean(r.champion_left for r in kept)


def test_overdue_work_piled_up_before_a_churn(windows):
    churned, kept = windows
    assert mean(r.overdue for r in churned) > 1.5 * mean(r.overdue for r in kept)


def test_missed_qbrs_come_before_churns(book):
    postponed = Interaction.objects.filter(subject="QBR postponed by the customer")
    churned_accounts = set(
        RenewalOutcome.objects.filter(outcome=RenewalKind.CHURNED, subscription__product="Core platform")
        .values_list("account_id", flat=True)
    )
    held = Interaction.objects.filter(kind="qbr")
    missed_share = {
        group: postponed.filter(account_id__in=ids).count()
        / max(1, postponed.filter(account_id__in=ids).count() + held.filter(account_id__in=ids).count())
        for group, ids in (("churned", churned_accounts), ("others", set(held.values_list("account_id", flat=True)) - churned_accounts))
    }
    assert missed_share["churned"] > missed_share["others"] + 0.15
