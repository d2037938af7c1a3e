"""Reads on survey results: NPS, CSAT and CES by account, segment, CSM, survey and month; the
verbatim comments; an account's survey history.

Every read costs a fixed number of queries, whatever the number of answers: the database counts
answers per (group, survey kind, score), at most eleven rows a group, and the pure functions of
``scoring`` turn those counts into the standard figures with their 95% intervals.

Two rules for whose answers count:

- Over a period (the results page, per segment, per CSM, per survey, per month) every submitted
  answer in the period counts: a contact who answered two waves counts twice, as relationship NPS
  is reported.
- An account's NPS is the latest answer of each of its contacts within
  ``PACELINE_NPS_WINDOW_DAYS`` (``scoring.latest_per_contact``), so one contact answering every
  wave does not outweigh the others. The book column computes the same rule in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone

from paceline.customers.models import Account, Segment
from paceline.surveys import scoring
from paceline.surveys.models import Invitation, InvitationStatus, Response, SurveyKind
from paceline.surveys.sentiment import NEGATIVE, POSITIVE, SentimentTrend, account_sentiment_trend

# Only answers inside their scale count: a row out of range (a bad import) is left out, not a crash.
RATED = (
    Q(survey__kind=SurveyKind.NPS, score__range=(0, 10))
    | Q(survey__kind=SurveyKind.CSAT, score__range=(1, 5))
    | Q(survey__kind=SurveyKind.CES, score__range=(1, 7))
)
BANDS = {"promoter": (9, 10), "passive": (7, 8), "detractor": (0, 6)}
SENTIMENTS = {
    "positive": Q(sentiment__gte=POSITIVE),
    "neutral": Q(sentiment__gt=NEGATIVE, sentiment__lt=POSITIVE),
    "negative": Q(sentiment__lte=NEGATIVE),
    "unscored": Q(sentiment__isnull=True),
}


def answered() -> QuerySet[Response]:
    """Submitted responses whose headline score is inside its survey's scale."""
    return Response.objects.filter(submitted_at__isnull=False, score__isnull=False).filter(RATED)


def window_start(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.PACELINE_NPS_WINDOW_DAYS)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class ResultFilters:
    """What the results page narrows to. Dates are days in the current time zone, both included."""

    survey_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    segment: str = ""
    owner_id: int | None = None

    def apply(self, qs: QuerySet[Response]) -> QuerySet[Response]:
        if self.survey_id is not None:
            qs = qs.filter(survey_id=self.survey_id)
        if self.start is not None:
            qs = qs.filter(submitted_at__gte=_day_start(self.start))
        if self.end is not None:
            qs = qs.filter(submitted_at__lt=_day_start(self.end + dt.timedelta(days=1)))
        if self.segment:
            qs = qs.filter(account__segment=self.segment)
        if self.owner_id is not None:
            qs = qs.filter(account__owner_id=self.owner_id)
        return qs


@dataclass(frozen=True)
class Figures:
    """NPS, CSAT and CES of one group of answers."""

    nps: scoring.NpsResult
    csat: scoring.ShareResult
    ces: scoring.MeanResult

    @property
    def n(self) -> int:
        return self.nps.n + self.csat.n + self.ces.n


def _expand(counts: Counter) -> list[int]:
    return [score for score, n in sorted(counts.items()) for _ in range(n)]


def figures_of(counts: dict[str, Counter]) -> Figures:
    """Figures from answer counts per survey kind and score."""
    return Figures(
        nps=scoring.nps(_expand(counts.get(SurveyKind.NPS, Counter()))),
        csat=scoring.csat(_expand(counts.get(SurveyKind.CSAT, Counter()))),
        ces=scoring.ces(_expand(counts.get(SurveyKind.CES, Counter()))),
    )


def _tally(qs: QuerySet[Response], *keys: str) -> dict[tuple, dict[str, Counter]]:
    """Answers counted per group (``keys``), survey kind and score: one query."""
    rows = qs.order_by().values(*keys, "survey__kind", "score").annotate(n=Count("pk"))
    groups: dict[tuple, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for row in rows:
        groups[tuple(row[k] for k in keys)][row["survey__kind"]][row["score"]] += row["n"]
    return groups


@dataclass(frozen=True)
class Group:
    key: object
    label: str
    figures: Figures
    kind: str = ""  # a survey's kind, for the per-survey rows


@dataclass(frozen=True)
class Bar:
    score: int
    count: int
    band: str


@dataclass(frozen=True)
class Month:
    month: dt.date
    figures: Figures


def overall(*, filters: ResultFilters) -> Figures:
    return figures_of(_tally(filters.apply(answered())).get((), {}))


def distribution(nps_counts: Counter) -> list[Bar]:
    """The eleven NPS answers 0-10 with their counts (zeros included) and bands."""
    return [Bar(score, nps_counts.get(score, 0), scoring.nps_band(score)) for score in range(11)]


def by_segment(*, filters: ResultFilters) -> list[Group]:
    groups = _tally(filters.apply(answered()), "account__segment")
    return [Group(value, label, figures_of(groups[(value,)])) for value, label in Segment.choices if (value,) in groups]


def by_owner(*, filters: ResultFilters) -> list[Group]:
    """Per CSM: the owner of the answering account."""
    groups = _tally(
        filters.apply(answered()), "account__owner_id", "account__owner__first_name", "account__owner__last_name",
        "account__owner__username",
    )
    rows = []
    for (owner_id, first, last, username), counts in groups.items():
        label = f"{first} {last}".strip() or username if owner_id is not None else "No owner"
        rows.append(Group(owner_id, label, figures_of(counts)))
    return sorted(rows, key=lambda g: (g.key is None, g.label.lower()))


def by_survey(*, filters: ResultFilters) -> list[Group]:
    groups = _tally(filters.apply(answered()), "survey_id", "survey__name")
    rows = [Group(sid, name, figures_of(counts), kind=next(iter(counts))) for (sid, name), counts in groups.items()]
    return sorted(rows, key=lambda g: (g.label.lower(), g.key))


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def monthly(*, filters: ResultFilters) -> list[Month]:
    """One row per calendar month of the period (empty months included, with no score)."""
    groups = _tally(
        filters.apply(answered()).annotate(month=TruncMonth("submitted_at", output_field=DateField())), "month"
    )
    seen = sorted(key[0] for key in groups)
    first = filters.start or (seen[0] if seen else None)
    last = filters.end or (seen[-1] if seen else None)
    if first is None or last is None:
        return []
    return [Month(m, figures_of(groups.get((m,), {}))) for m in _months_between(first, last)]


@dataclass(frozen=True)
class Results:
    """Everything the results page shows (five queries)."""

    filters: ResultFilters
    overall: Figures
    distribution: list[Bar]
    segments: list[Group]
    owners: list[Group]
    surveys: list[Group]
    months: list[Month]


def results(*, filters: ResultFilters) -> Results:
    counts = _tally(filters.apply(answered())).get((), {})
    return Results(
        filters=filters,
        overall=figures_of(counts),
        distribution=distribution(counts.get(SurveyKind.NPS, Counter())),
        segments=by_segment(filters=filters),
        owners=by_owner(filters=filters),
        surveys=by_survey(filters=filters),
        months=monthly(filters=filters),
    )


# Comments ----------------------------------------------------------------------------------------


def _labelled(qs: QuerySet[Response]) -> QuerySet[Response]:
    """Each response with its NPS band and its sentiment's name, for the pages and their filters."""
    return qs.annotate(
        band=Case(
            *(When(survey__kind=SurveyKind.NPS, score__range=bounds, then=Value(name)) for name, bounds in BANDS.items()),
            default=Value(""), output_field=CharField(),
        ),
        sentiment_label=Case(
            *(When(q, then=Value(name)) for name, q in SENTIMENTS.items() if name != "unscored"),
            default=Value(""), output_field=CharField(),
        ),
    )


def comments(*, filters: ResultFilters, band: str = "", sentiment: str = "") -> QuerySet[Response]:
    """Verbatim comments of submitted responses, newest first. ``band`` (promoter, passive,
    detractor) keeps NPS answers in that band; ``sentiment`` (positive, neutral, negative,
    unscored) keeps comments whose stored score reads so."""
    qs = filters.apply(Response.objects.filter(submitted_at__isnull=False).exclude(comment=""))
    if band:
        qs = qs.filter(survey__kind=SurveyKind.NPS, score__range=BANDS[band])
    if sentiment:
        qs = qs.filter(SENTIMENTS[sentiment])
    return _labelled(qs.select_related("survey", "account", "contact")).order_by("-submitted_at", "-pk")


# One account --------------------------------------------------------------------------------------


@dataclass
class AccountVoice:
    """What the account's customers told us, for its panel."""

    nps: scoring.NpsResult  # latest answer per contact within the window
    csat: scoring.ShareResult  # every answer within the window
    ces: scoring.MeanResult
    latest: Response | None  # the latest NPS answer, however old
    sentiment: SentimentTrend
    recent: list[Response] = field(default_factory=list)
    window_days: int = 365

    @property
    def latest_band(self) -> str:
        return scoring.nps_band(self.latest.score) if self.latest is not None else ""


def account_scores(*, account: Account, now: dt.datetime | None = None) -> Figures:
    """The account's figures within the window; its NPS from the latest answer of each contact (one query)."""
    since = window_start(now)
    rows = (
        answered().filter(account=account, submitted_at__gte=since)
        .order_by("-submitted_at", "-pk")
        .values_list("survey__kind", "contact_id", "submitted_at", "score")
    )
    nps_answers: list[scoring.Answered] = []
    counts: dict[str, Counter] = defaultdict(Counter)
    for kind, contact_id, on, score in rows:
        if kind == SurveyKind.NPS:
            nps_answers.append(scoring.Answered(contact_id, on, score))
        else:
            counts[kind][score] += 1
    # Newest first, so on a tie of time the later row (higher id) is the one kept, as in annotate_nps.
    counts[SurveyKind.NPS] = Counter(a.score for a in scoring.latest_per_contact(nps_answers, since=since))
    return figures_of(counts)


def account_survey_history(*, account: Account) -> QuerySet[Response]:
    """The account's responses, the unfinished ones included, newest first."""
    return _labelled(
        account.survey_responses.select_related("survey", "contact")
        .order_by(Coalesce("submitted_at", "started_at").desc(), "-pk")
    )


def account_invitation_counts(*, account: Account) -> dict[str, int]:
    """How many of the account's invitations are in each status (one query)."""
    rows = Invitation.objects.filter(account=account).order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


@dataclass
class AccountHistory:
    scores: Figures
    invitations: dict[str, int]
    responses: QuerySet[Response]  # lazy: the page slices it
    window_days: int

    @property
    def asked(self) -> int:
        """Invitations that went out (not the pending nor the skipped ones)."""
        skipped = (InvitationStatus.PENDING, InvitationStatus.SKIPPED)
        return sum(n for status, n in self.invitations.items() if status not in skipped)

    @property
    def unanswered(self) -> int:
        """Sent and opened, or started, but never submitted."""
        waiting = (InvitationStatus.SENT, InvitationStatus.OPENED, InvitationStatus.PARTIAL)
        return sum(self.invitations.get(status, 0) for status in waiting)


def account_history(*, account: Account) -> AccountHistory:
    """The account's figures, its invitations by status and its responses (three queries and the page)."""
    return AccountHistory(
        scores=account_scores(account=account),
        invitations=account_invitation_counts(account=account),
        responses=account_survey_history(account=account),
        window_days=settings.PACELINE_NPS_WINDOW_DAYS,
    )


def account_voice(*, account: Account, now: dt.datetime | None = None, recent: int = 5) -> AccountVoice:
    """The account's figures, its latest NPS answer, its sentiment trend and its latest responses
    with a comment (five queries)."""
    now = now or timezone.now()
    figures = account_scores(account=account, now=now)
    latest = (
        answered().filter(account=account, survey__kind=SurveyKind.NPS)
        .select_related("contact", "survey").order_by("-submitted_at", "-pk").first()
    )
    with_comments = account_survey_history(account=account).filter(submitted_at__isnull=False).exclude(comment="")
    return AccountVoice(
        nps=figures.nps, csat=figures.csat, ces=figures.ces, latest=latest,
        sentiment=account_sentiment_trend(account=account, today=timezone.localdate(now)),
        recent=list(with_comments[:recent]),
        window_days=settings.PACELINE_NPS_WINDOW_DAYS,
    )


# The book ------------------------------------------------------------------------------------------


def annotate_nps(qs: QuerySet[Account], *, now: dt.datetime | None = None) -> QuerySet[Account]:
    """Each account's NPS by the account rule (latest answer per contact in the window), inside the
    list's one query: ``nps_n`` answers counted and ``nps_score`` (None without answers)."""
    nps_answers = Response.objects.filter(
        survey__kind=SurveyKind.NPS, submitted_at__gte=window_start(now), score__range=(0, 10)
    )
    # A later answer of the same contact at the same account replaces this one; on a tie of time, the higher id.
    newer = nps_answers.filter(account=OuterRef("account"), contact=OuterRef("contact")).filter(
        Q(submitted_at__gt=OuterRef("submitted_at")) | Q(submitted_at=OuterRef("submitted_at"), pk__gt=OuterRef("pk"))
    )
    latest = nps_answers.filter(account=OuterRef("pk")).filter(~Exists(newer)).order_by().values("account")
    n = latest.annotate(n=Count("pk")).values("n")
    score = latest.annotate(
        s=Cast(Count("pk", filter=Q(score__gte=9)) - Count("pk", filter=Q(score__lte=6)), FloatField())
        * Value(100.0) / Cast(Count("pk"), FloatField())
    ).values("s")
    return qs.annotate(
        nps_n=Coalesce(Subquery(n, output_field=IntegerField()), Value(0)),
        nps_score=Subquery(score, output_field=FloatField()),
    )
