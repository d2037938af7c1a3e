"""The demo's voice of the customer: deterministic, consistent with what the app would have stored,
and true to each account's fate (recomputed from the seed, as ``company.plan`` allows)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from statistics import mean

import pytest
from django.db import transaction
from django.db.models import Count

from paceline.core.models import AuditEntry
from paceline.core.services import Actor
from paceline.customers.models import Account, RenewalKind
from paceline.ops.demo import DemoConfig, World, company, load_demo
from paceline.surveys import readiness
from paceline.surveys.models import (
    Invitation,
    InvitationStatus,
    ReadinessAssessment,
    RelationshipMilestone,
    Response,
    SurveyKind,
    Unsubscribe,
)
from paceline.surveys.scoring import nps
from paceline.surveys.sentiment import NEGATIVE, POSITIVE, sentiment_of
from tests.ops.conftest import ANCHOR

GOOD = (RenewalKind.RENEWED, RenewalKind.EXPANDED)


def voice_digest(anchor: dt.date) -> str:
    """Every generated survey row, dates as offsets from the anchor, references by external id."""
    h = hashlib.sha256()

    def days(value) -> int | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return int((value - dt.datetime.combine(anchor, dt.time(), tzinfo=dt.UTC)).total_seconds())
        return (value - anchor).days

    for i in Invitation.objects.order_by("contact__external_id", "sent_at", "campaign__survey__kind").values_list(
            "contact__external_id", "campaign__survey__kind", "status", "skipped_reason", "sent_at", "reminded_at",
            "opened_at", "completed_at", "expires_at"):
        h.update(repr((*i[:4], *map(days, i[4:]))).encode())
    for r in Response.objects.order_by("contact__external_id", "started_at", "survey__kind").values_list(
            "contact__external_id", "survey__kind", "source", "score", "comment", "sentiment", "started_at",
            "submitted_at"):
        h.update(repr((*r[:6], days(r[6]), days(r[7]))).encode())
    for a in ReadinessAssessment.objects.order_by("account__external_id", "assessed_on").values_list(
            "account__external_id", "assessed_on", "score", "level", "reasons", "recommendation"):
        h.update(repr((a[0], days(a[1]), *a[2:])).encode())
    for m in RelationshipMilestone.objects.order_by("account__external_id", "occurred_on", "kind").values_list(
            "account__external_id", "kind", "occurred_on", "contact__external_id", "credited_to__username", "note"):
        h.update(repr((m[0], m[1], days(m[2]), *m[3:])).encode())
    h.update(repr(sorted(Unsubscribe.objects.values_list("email", flat=True))).encode())
    return h.hexdigest()


def _load_and_digest(config: DemoConfig) -> str:
    with transaction.atomic():
        load_demo(config)
        result = voice_digest(config.anchor)
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_voice_shifted_with_the_anchor_and_another_seed_does_not():
    first = _load_and_digest(DemoConfig(accounts=12, anchor=ANCHOR))
    again = _load_and_digest(DemoConfig(accounts=12, anchor=ANCHOR))
    later = _load_and_digest(DemoConfig(accounts=12, anchor=ANCHOR + dt.timedelta(weeks=15)))
    other = _load_and_digest(DemoConfig(accounts=12, anchor=ANCHOR, seed=7))
    assert first == again == later
    assert other != first


@pytest.fixture(scope="module")
def fates():
    return {a.external_id: a.fate for a in company.plan(World(DemoConfig(accounts=120, anchor=ANCHOR)))}


def _day(value: dt.datetime | dt.date) -> int:
    return ((value.date() if isinstance(value, dt.datetime) else value) - ANCHOR).days


def test_two_years_of_nps_and_csat_with_ignored_invitations_and_unsubscribes(book):
    kinds = dict(Response.objects.filter(submitted_at__isnull=False).values_list("survey__kind")
                 .annotate(n=Count("id")).values_list("survey__kind", "n"))
    assert kinds[SurveyKind.NPS] > 500 and kinds[SurveyKind.CSAT] > 200
    first = Response.objects.filter(survey__kind=SurveyKind.NPS, submitted_at__isnull=False).order_by("submitted_at").first()
    assert _day(first.submitted_at) < -700
    statuses = set(Invitation.objects.values_list("status", flat=True))
    assert {InvitationStatus.COMPLETED, InvitationStatus.EXPIRED, InvitationStatus.SKIPPED} <= statuses
    assert Invitation.objects.filter(status=InvitationStatus.SENT).exists()  # the last wave is still open
    assert Unsubscribe.objects.exists()
    for entry in Unsubscribe.objects.select_related("contact"):
        later = Invitation.objects.filter(contact=entry.contact, created_at__gt=entry.at)
        assert all(i.status == InvitationStatus.SKIPPED for i in later)


def test_responses_are_what_the_app_would_have_stored(book, fates):
    for r in Response.objects.filter(submitted_at__isnull=False).exclude(survey__kind=SurveyKind.READINESS) \
            .select_related("invitation", "account").prefetch_related("answers__question")[:400]:
        assert r.invitation.status == InvitationStatus.COMPLETED and r.invitation.completed_at == r.submitted_at
        assert r.invitation.sent_at <= r.submitted_at <= r.invitation.expires_at
        assert _day(r.submitted_at) < min(0, fates[r.account.external_id].ended)
        headline = next(a for a in r.answers.all() if a.question.kind in ("nps", "csat"))
        assert headline.number == r.score
        assert r.sentiment == (sentiment_of(r.comment) if r.comment else None)
    partial = Response.objects.filter(submitted_at__isnull=True).first()
    assert partial is not None and partial.score is None


def test_nps_before_a_churn_is_lower_than_before_a_renewal(book, fates):
    before = defaultdict(list)
    answers = Response.objects.filter(survey__kind=SurveyKind.NPS, submitted_at__isnull=False)
    for external_id, submitted_at, score in answers.values_list("account__external_id", "submitted_at", "score"):
        day = _day(submitted_at)
        for term in fates[external_id].terms:
            if term.closed and term.decided - 180 <= day <= term.decided:
                before[term.outcome].append(score)
    churned, renewed = nps(before[RenewalKind.CHURNED]), nps(before[RenewalKind.RENEWED] + before[RenewalKind.EXPANDED])
    assert churned.n >= 10 and renewed.n >= 50
    assert mean(before[RenewalKind.CHURNED]) + 2 < mean(before[RenewalKind.RENEWED] + before[RenewalKind.EXPANDED])
    assert churned.detractors > churned.n / 2  # churners slide to detractors
    assert renewed.promoters + renewed.passives > 0.6 * renewed.n  # renewers are mostly promoters and passives
    assert churned.score < renewed.score - 40


def test_the_sentiment_of_every_comment_matches_its_score_band(book):
    by_band = defaultdict(list)
    for kind, score, sentiment in Response.objects.exclude(comment="").exclude(survey__kind=SurveyKind.READINESS) \
            .values_list("survey__kind", "score", "sentiment"):
        if kind == SurveyKind.NPS:
            band = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        else:
            band = "satisfied" if score >= 4 else "neutral" if score == 3 else "dissatisfied"
        by_band[band].append(sentiment)
    assert all(s >= POSITIVE for s in by_band["promoter"] + by_band["satisfied"])
    assert all(s <= NEGATIVE for s in by_band["detractor"] + by_band["dissatisfied"])
    assert mean(by_band["promoter"]) > mean(by_band["passive"]) > mean(by_band["detractor"])
    texts = Response.objects.exclude(comment="").values_list("comment", flat=True).distinct().count()
    assert texts > 100  # varied, not a handful of canned lines


def test_milestones_come_mostly_from_healthy_accounts_and_are_credited_to_the_owner(book, fates):
    per_account = defaultdict(int)
    for m in RelationshipMilestone.objects.select_related("account", "credited_to", "contact"):
        per_account[m.account.external_id] += 1
        assert m.credited_to == m.account.owner
        assert m.contact is None or m.contact.account_id == m.account_id
        assert _day(m.occurred_on) < min(0, fates[m.account.external_id].ended)
    healthy = [ext for ext, f in fates.items() if f.terms[-1].outcome in GOOD]
    doomed = [ext for ext, f in fates.items() if f.terms[-1].outcome == RenewalKind.CHURNED]
    assert mean(per_account[e] for e in healthy) > 2 * mean(per_account[e] for e in doomed)
    assert set(RelationshipMilestone.objects.values_list("kind", flat=True)) == {
        "reference", "case_study", "review", "executive_access", "budget_planning"}


def test_readiness_on_about_a_third_of_accounts_and_its_level_follows_the_fate(book, fates):
    latest = readiness.readiness_latest(Account.objects.values_list("pk", flat=True))
    share = len(latest) / len(fates)
    assert 0.2 <= share <= 0.4
    scores = defaultdict(list)
    for assessment in ReadinessAssessment.objects.select_related("account"):
        scores[fates[assessment.account.external_id].terms[-1].outcome].append(assessment.score)
    good = scores[RenewalKind.RENEWED] + scores[RenewalKind.EXPANDED]
    assert scores[RenewalKind.CHURNED] and good
    assert mean(scores[RenewalKind.CHURNED]) + 10 < mean(good)
    levels = set(ReadinessAssessment.objects.values_list("level", flat=True))
    assert {"not_ready", "capable"} <= levels and len(levels) >= 3
    assert ReadinessAssessment.objects.values("account").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_stored_assessments_are_what_the_scoring_gives_today(book):
    sample = list(ReadinessAssessment.objects.select_related("response")[:25])
    done = readiness.readiness_refresh(actor=Actor(user=None, via="cli"))
    assert len(done) == ReadinessAssessment.objects.count() >= len(sample)
    assert not AuditEntry.objects.filter(target_type="surveys.readinessassessment").exists()
    for assessment in sample:
        assert assessment.response.submitted_at.date() == assessment.assessed_on
