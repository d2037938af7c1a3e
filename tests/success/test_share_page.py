"""The page a share link opens: the plan in the customer's words, and nothing else."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor, audit_record
from paceline.success import services, sharing
from paceline.success.models import Goal, ShareLink, SuccessPlan
from tests.factories import AccountFactory, ContactFactory

# Planted where the customer must never see them.
PLAN_SECRET = "PLAN-INTERNAL-7731"
GOAL_SECRET = "GOAL-INTERNAL-4410"
SUBGOAL_SECRET = "SUBGOAL-INTERNAL-9902"
OTHER_ACCOUNT = "GLOBEX-ZETA-3318"
AUDIT_ONLY = "AUDIT-ONLY-5521"
RETIRED_REASON = "RETIRED-WHY-6604"


@dataclass
class Built:
    plan: SuccessPlan
    goal: Goal
    subgoal: Goal
    hit: Goal
    jane: object
    other_plan: SuccessPlan


def build_plan(account, csm) -> Built:
    """A plan with a renegotiated percent metric (the seed's 50% of 100 = 25% of 200), laps,
    measurements, a sub-goal with a lower-is-better metric, both sides' commitments, a hit goal,
    and secrets planted in internal notes, another account's plan and the audit log."""
    actor = Actor(user=csm, via="web")
    today = timezone.localdate()
    jane = ContactFactory(account=account, name="Jane Roe", title="VP Operations")
    plan = services.plan_create(
        actor=actor, account=account, title="Onboarding to first value",
        summary="Acme runs every order through the platform by the end of the year.",
        internal_notes=f"Renewal risk, keep quiet {PLAN_SECRET}", owner=csm, customer_owner=jane,
    )
    goal = services.goal_create(
        actor=actor, plan=plan, title="Train the team", description="Half of the team trained in year one.",
        internal_notes=f"Champion is wobbly {GOAL_SECRET}", target_date=today + dt.timedelta(days=300),
    )
    services.goal_agree(actor=actor, goal=goal, contact=jane, on=today - dt.timedelta(days=50))
    metric = services.metric_create(
        actor=actor, goal=goal, name="People trained", unit="percent", direction="higher",
        baseline=Decimal("0"), baseline_date=today - dt.timedelta(days=60), target=Decimal("50"),
        target_date=today + dt.timedelta(days=300), denominator=Decimal("100"),
        checkpoints=[(today - dt.timedelta(days=30), Decimal("5"), "First cohort"),
                     (today + dt.timedelta(days=100), Decimal("15"), "")],
    )
    services.measurement_record(actor=actor, metric=metric, measured_on=today - dt.timedelta(days=40),
                                value=Decimal("8"), note="Cohort one")
    services.measurement_record(actor=actor, metric=metric, measured_on=today - dt.timedelta(days=10),
                                value=Decimal("14"))
    services.metric_renegotiate(
        actor=actor, metric=metric, new_target=Decimal("25"), new_denominator=Decimal("200"),
        reason="The team doubled to 200.", equivalence="It is the same 50 people.", agreed_by_contact=jane,
        changed_on=today - dt.timedelta(days=5),
    )
    subgoal = services.goal_create(
        actor=actor, plan=plan, parent=goal, title="Managers trained first", description="Managers lead by example.",
        internal_notes=f"Manager X resists {SUBGOAL_SECRET}",
    )
    lap = services.metric_create(
        actor=actor, goal=subgoal, name="Time to first order", unit="duration", direction="lower",
        baseline=Decimal("1800"), baseline_date=today - dt.timedelta(days=20), target=Decimal("600"),
        target_date=today + dt.timedelta(days=40),
    )
    services.measurement_record(actor=actor, metric=lap, measured_on=today - dt.timedelta(days=2),
                                value=Decimal("1500"), note="=HYPERLINK(\"x\")")
    kept = services.action_create(actor=actor, goal=goal, title="Run the admin training", side="vendor",
                                  owner_user=csm, due_on=today - dt.timedelta(days=3))
    services.action_complete(actor=actor, action=kept, done_on=today - dt.timedelta(days=4))
    services.action_create(actor=actor, goal=goal, title="Nominate the trainers", side="customer",
                           owner_contact=jane, due_on=today - dt.timedelta(days=2))
    services.action_create(actor=actor, goal=subgoal, title="Book the managers' session", side="customer",
                           owner_contact=jane, due_on=today + dt.timedelta(days=9))
    dropped = services.action_create(actor=actor, goal=goal, title="Cancelled survey", side="vendor",
                                     owner_user=csm, due_on=today + dt.timedelta(days=9))
    services.action_cancel(actor=actor, action=dropped)
    hit = services.goal_create(actor=actor, plan=plan, title="Go live", description="Orders flow on day one.")
    services.goal_close(actor=actor, goal=hit, status="hit", on=today - dt.timedelta(days=1),
                        reason="Live on three sites.")
    retired = services.goal_create(actor=actor, plan=plan, title="Mobile rollout")
    services.goal_close(actor=actor, goal=retired, status="retired", reason=f"Budget cut {RETIRED_REASON}")

    other_account = AccountFactory(name=f"Globex {OTHER_ACCOUNT}")
    other_plan = services.plan_create(actor=actor, account=other_account, title=f"Plan {OTHER_ACCOUNT}",
                                      summary=f"Summary {OTHER_ACCOUNT}")
    services.goal_create(actor=actor, plan=other_plan, title=f"Goal {OTHER_ACCOUNT}")
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=plan, before={"x": ""},
                 after={"x": AUDIT_ONLY}, account_id=account.pk)
    return Built(plan=plan, goal=goal, subgoal=subgoal, hit=hit, jane=jane, other_plan=other_plan)


@pytest.fixture
def built(account, csm):
    return build_plan(account, csm)


@pytest.fixture
def shared(built, actor):
    link, raw = sharing.share_link_create(actor=actor, plan=built.plan, label="Jane Roe")
    return link, raw


def _text(response) -> str:
    return response.content.decode()


def test_the_page_shows_the_plan_in_the_customers_words(anon_client, built, shared):
    _, raw = shared
    response = anon_client.get(f"/shared/{raw}/")
    assert response.status_code == 200
    html = _text(response)
    for expected in (
        "Onboarding to first value", "Acme runs every order through the platform", "Train the team",
        "Half of the team trained in year one.", "Managers trained first", "Managers lead by example.",
        "People trained", "Time to first order", "First cohort", "Go live", "Live on three sites.",
        "Run the admin training", "Nominate the trainers", "Book the managers&#x27; session",
        "Shared by Carl Csm", "Jane Roe (Acme Corp)",
    ):
        assert expected in html, expected
    # The renegotiation: 50% of 100 became 25% of 200, and the page says the absolute figure held.
    assert "50% (50 of 100)" in html and "25% (50 of 200)" in html
    assert "The absolute figure held: 50 of 100 then, 50 of 200 now." in html
    assert "It is the same 50 people." in html
    # A metric's numbers and its status with the rule in plain words.
    assert "25:00" in html and "10:00" in html  # 1800 s baseline, 600 s target of the duration metric
    assert re.search(r"to go in \d+ days", html)
    # Commitments of both sides with their outcomes; a cancelled one is not a commitment any more.
    assert "Kept" in html and "Missed" in html and "Open" in html
    assert "Cancelled survey" not in html


def test_it_says_who_shared_it_and_until_when(anon_client, shared):
    link, raw = shared
    html = _text(anon_client.get(f"/shared/{raw}/"))
    assert f"Shared by Carl Csm · valid until {link.expires_at:%-d %B %Y}" in html


def test_it_draws_one_chart_per_metric_from_our_own_bundle(anon_client, shared):
    _, raw = shared
    html = _text(anon_client.get(f"/shared/{raw}/"))
    assert html.count('type="application/vnd.vegalite+json"') == 2
    assert "/static/paceline/vendor/charts.js" in html


def test_it_never_shows_internal_notes_other_accounts_or_the_audit_log(anon_client, shared):
    _, raw = shared
    html = _text(anon_client.get(f"/shared/{raw}/"))
    for secret in (PLAN_SECRET, GOAL_SECRET, SUBGOAL_SECRET, OTHER_ACCOUNT, AUDIT_ONLY, RETIRED_REASON):
        assert secret not in html, secret
    assert "Mobile rollout" in html  # the retired goal is there, without the reason our team gave


def test_a_link_to_another_accounts_plan_shows_only_that_plan(anon_client, built, actor):
    _, raw = sharing.share_link_create(actor=actor, plan=built.other_plan, label="Globex")
    html = _text(anon_client.get(f"/shared/{raw}/"))
    assert OTHER_ACCOUNT in html
    for absent in ("Onboarding to first value", "Train the team", "Acme Corp", "Jane Roe", PLAN_SECRET):
        assert absent not in html, absent


def test_the_page_is_private_to_whoever_holds_the_link(anon_client, shared):
    _, raw = shared
    response = anon_client.get(f"/shared/{raw}/")
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Cache-Control"] == "no-store"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "http" not in policy


def test_the_page_loads_nothing_from_another_origin(anon_client, shared):
    _, raw = shared
    html = _text(anon_client.get(f"/shared/{raw}/"))
    loaded = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert loaded and all(url.startswith("/static/") for url in loaded), loaded
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_it_counts_views(anon_client, shared):
    link, raw = shared
    anon_client.get(f"/shared/{raw}/")
    anon_client.get(f"/shared/{raw}/")
    link.refresh_from_db()
    assert link.view_count == 2 and link.last_viewed_at is not None


def test_a_tampered_token_gets_the_same_404_as_garbage(anon_client, shared):
    _, raw = shared
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    first = anon_client.get(f"/shared/{tampered}/")
    second = anon_client.get(f"/shared/{secrets.token_urlsafe(32)}/")
    third = anon_client.get("/shared/x/")
    assert first.status_code == second.status_code == third.status_code == 404
    assert first.content == second.content == third.content
    assert b"This link does not work" in first.content
    assert first["Cache-Control"] == "no-store" and first["X-Robots-Tag"] == "noindex"
    assert b"Onboarding" not in first.content and b"Acme" not in first.content


def test_an_expired_or_revoked_link_is_gone_with_one_body(anon_client, built, actor):
    expired, raw_expired = sharing.share_link_create(actor=actor, plan=built.plan, label="old")
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    revoked, raw_revoked = sharing.share_link_create(actor=actor, plan=built.plan, label="revoked")
    sharing.share_link_revoke(actor=actor, link=revoked)
    _, raw_other = sharing.share_link_create(actor=actor, plan=built.other_plan, label="other")
    other_link = ShareLink.objects.get(plan=built.other_plan)
    sharing.share_link_revoke(actor=actor, link=other_link)
    responses = [anon_client.get(f"/shared/{raw}/") for raw in (raw_expired, raw_revoked, raw_other)]
    assert [r.status_code for r in responses] == [410, 410, 410]
    assert responses[0].content == responses[1].content == responses[2].content
    assert b"no longer valid" in responses[0].content
    assert b"Onboarding" not in responses[0].content and OTHER_ACCOUNT.encode() not in responses[2].content
    assert responses[0]["Referrer-Policy"] == "no-referrer"


def test_a_signed_in_user_sees_the_same_page_as_the_customer(viewer_client, anon_client, shared):
    _, raw = shared
    signed_in = _text(viewer_client.get(f"/shared/{raw}/"))
    assert PLAN_SECRET not in signed_in and "Log out" not in signed_in
    assert signed_in == _text(anon_client.get(f"/shared/{raw}/"))


def test_the_page_refuses_writes(anon_client, shared):
    _, raw = shared
    assert anon_client.post(f"/shared/{raw}/").status_code == 405


def test_the_page_costs_the_same_queries_whatever_the_size_of_the_plan(anon_client, built, shared, actor,
                                                                       django_assert_num_queries):
    _, raw = shared
    with CaptureQueriesContext(connection) as small:
        anon_client.get(f"/shared/{raw}/")
    today = timezone.localdate()
    for n in range(3):
        goal = services.goal_create(actor=actor, plan=built.plan, title=f"More {n}")
        metric = services.metric_create(
            actor=actor, goal=goal, name=f"Metric {n}", unit="count", direction="higher", baseline=Decimal("0"),
            baseline_date=today - dt.timedelta(days=10), target=Decimal("10"), target_date=today + dt.timedelta(days=10),
        )
        services.measurement_record(actor=actor, metric=metric, measured_on=today - dt.timedelta(days=1), value=3)
        services.action_create(actor=actor, goal=goal, title=f"Do {n}", side="customer", owner_contact=built.jane,
                               due_on=today)
    with django_assert_num_queries(len(small)):
        response = anon_client.get(f"/shared/{raw}/")
    assert "Metric 2" in response.content.decode()
