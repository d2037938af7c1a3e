"""The registry of triggers: what can make a rule fire, and why.

An *event* trigger reads the outbox: ``match(event, params)`` returns a ``Candidate`` (account,
cause, why) or None. A *scheduled* trigger scans the book once a day: ``scan(params, today)``
yields candidates, with one query for all accounts. The cause names what happened, so the same
cause fires a rule once per account (a renewal date, a departed contact, a missed touchpoint...).

Events other capabilities send and the payload each trigger reads (the contract for apps that
land later, e.g. health and usage):

- ``health.score_changed``: ``{"model", "score_from", "score_to", "band_from", "band_to"}``
- ``usage.weekly_change``: ``{"metric", "week", "previous", "current", "change_pct"}``
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from paceline.automation.params import Param
from paceline.core.models import ActivityEvent
from paceline.customers.models import Account, ContactRole, InteractionKind, LifecycleStage, Segment


@dataclass(frozen=True)
class Candidate:
    account_id: int
    cause: str
    why: dict[str, Any]


@dataclass(frozen=True)
class Trigger:
    key: str
    label: str
    description: str
    params: tuple[Param, ...] = ()
    events: frozenset[str] = field(default_factory=frozenset)
    match: Callable[[ActivityEvent, dict], Candidate | None] | None = None
    scan: Callable[[dict, dt.date], Iterable[Candidate]] | None = None

    @property
    def scheduled(self) -> bool:
        return self.scan is not None

    def explain(self, params: dict[str, Any]) -> str:
        """The trigger in words with its set parameters: "Renewal within N days (Days: 120)"."""
        shown = []
        for p in self.params:
            value = params.get(p.name)
            if value in (None, "", [], 0):
                continue
            labels = dict(p.choices)
            values = value if isinstance(value, list) else [value]
            shown.append(f"{p.label}: {', '.join(str(labels.get(v, v)) for v in values)}")
        return f"{self.label} ({'; '.join(shown)})" if shown else self.label


TRIGGERS: dict[str, Trigger] = {}


def register(trigger: Trigger) -> Trigger:
    if trigger.key in TRIGGERS and TRIGGERS[trigger.key] != trigger:
        raise ValueError(f"A trigger {trigger.key!r} is already registered.")
    TRIGGERS[trigger.key] = trigger
    return trigger


def get(key: str) -> Trigger:
    try:
        return TRIGGERS[key]
    except KeyError:
        raise LookupError(f"Unknown trigger {key!r}; use one of: {', '.join(sorted(TRIGGERS))}.") from None


def _when(event: ActivityEvent) -> str:
    return timezone.localdate(event.occurred_at).isoformat()


# Event triggers --------------------------------------------------------------------------------

BANDS = (("", "any band"), ("red", "Red"), ("yellow", "Yellow"), ("green", "Green"))


def _health(event: ActivityEvent, params: dict) -> Candidate | None:
    p = event.payload
    band_to, drop = params["band_to"], params["drop_by"]
    dropped = (p.get("score_from") or 0) - (p.get("score_to") or 0)
    band_hit = bool(band_to) and p.get("band_to") == band_to and p.get("band_from") != band_to
    drop_hit = drop > 0 and dropped >= drop
    if not (band_hit or drop_hit) or (params["model"] and p.get("model") != params["model"]):
        return None
    return Candidate(event.account_id, f"health:{event.pk}", {
        "model": p.get("model"), "score": f"{p.get('score_from')} → {p.get('score_to')}",
        "band": f"{p.get('band_from')} → {p.get('band_to')}", "on": _when(event)})


def _usage(event: ActivityEvent, params: dict) -> Candidate | None:
    p = event.payload
    if params["metric"] and p.get("metric") != params["metric"]:
        return None
    change = p.get("change_pct")
    if change is None or -float(change) < params["drop_pct"]:
        return None
    return Candidate(event.account_id, f"usage:{p.get('metric')}:{p.get('week')}", {
        "metric": p.get("metric"), "week": p.get("week"), "previous": p.get("previous"),
        "current": p.get("current"), "change": f"{float(change):+.0f}%"})


def _contact_left(event: ActivityEvent, params: dict) -> Candidate | None:
    roles = set(event.payload.get("roles") or [])
    if params["roles"] and not roles & set(params["roles"]):
        return None
    return Candidate(event.account_id, f"contact:{event.subject_id}:left", {
        "contact": event.payload.get("name"), "roles": sorted(roles), "left_on": event.payload.get("left_on")})


def _commitment(event: ActivityEvent, params: dict) -> Candidate | None:
    p = event.payload
    return Candidate(event.account_id, f"commitment:{event.subject_id}", {
        "commitment": p.get("title"), "side": p.get("side"), "due_on": p.get("due_on"), "goal": p.get("goal")})


def _touchpoint(event: ActivityEvent, params: dict) -> Candidate | None:
    p = event.payload
    return Candidate(event.account_id, f"touchpoint:{event.subject_id}", {
        "touchpoint": p.get("name"), "due_date": p.get("due_date")})


def _survey(event: ActivityEvent, params: dict) -> Candidate | None:
    p = event.payload
    if params["band"] and p.get("band") != params["band"]:
        return None
    if params["survey_kind"] and p.get("survey_kind") != params["survey_kind"]:
        return None
    return Candidate(event.account_id, f"response:{event.subject_id}", {
        "survey": p.get("survey_kind"), "score": p.get("score"), "band": p.get("band"), "on": _when(event)})


def _goal_behind(event: ActivityEvent, params: dict) -> Candidate | None:
    p = event.payload
    return Candidate(event.account_id, f"metric:{event.subject_id}:{_when(event)}", {
        "goal": p.get("goal"), "metric": p.get("metric"), "pace": f"{p.get('from')} → {p.get('to')}", "on": _when(event)})


def _entered(event: ActivityEvent, params: dict) -> Candidate | None:
    field_kind = {"stage": "account.stage_changed", "segment": "account.segment_changed"}[params["field"]]
    to = event.payload.get("to")
    if event.kind != field_kind or (params["value"] and to != params["value"]):
        return None
    return Candidate(event.account_id, f"{params['field']}:{to}:{event.pk}", {
        params["field"]: f"{event.payload.get('from')} → {to}", "on": _when(event)})


register(Trigger(
    "health_changed", "Health band changed or score dropped",
    "A health score moved into a band, or fell by at least N points.",
    (Param("band_to", "Into band", "choice", "", BANDS), Param("drop_by", "Or dropped by (points)", "int", 0, minimum=0),
     Param("model", "Score", "choice", "", (("", "any"), ("adoption", "Adoption"), ("renewal", "Renewal"),
                                            ("expansion", "Expansion")))),
    frozenset({"health.score_changed"}), match=_health,
))
register(Trigger(
    "usage_dropped", "Usage dropped week over week",
    "A usage metric fell by at least N% against the week before.",
    (Param("drop_pct", "Drop of at least (%)", "int", 30, minimum=1), Param("metric", "Metric", "str", "active_users")),
    frozenset({"usage.weekly_change"}), match=_usage,
))
register(Trigger(
    "key_contact_left", "A champion or sponsor left",
    "A contact with one of these roles was marked as departed.",
    (Param("roles", "Roles", "choices", [ContactRole.CHAMPION, ContactRole.EXECUTIVE_SPONSOR], tuple(ContactRole.choices)),),
    frozenset({"contact.departed"}), match=_contact_left,
))
register(Trigger(
    "commitment_missed", "A customer commitment was missed",
    "Something the customer agreed to do in the success plan passed its due date.",
    (), frozenset({"success.commitment_missed.customer"}), match=_commitment,
))
register(Trigger(
    "touchpoint_missed", "A touchpoint was missed",
    "A planned touchpoint's window passed without a matching interaction.",
    (), frozenset({"touchpoint.missed"}), match=_touchpoint,
))
register(Trigger(
    "survey_answered", "A survey was answered",
    "A response came in; optionally only in one band (e.g. NPS detractors).",
    (Param("band", "Band", "choice", "", (("", "any"), ("detractor", "Detractor"), ("passive", "Passive"),
                                          ("promoter", "Promoter"), ("low", "Low (CSAT/CES)"))),
     Param("survey_kind", "Survey", "choice", "", (("", "any"), ("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES")))),
    frozenset({"survey.responded"}), match=_survey,
))
register(Trigger(
    "goal_behind", "A goal fell behind pace",
    "A success-plan metric's pace went to behind or at risk.",
    (), frozenset({"success.metric_behind_pace"}), match=_goal_behind,
))
register(Trigger(
    "entered_segment_or_stage", "An account entered a segment or stage",
    "The account's lifecycle stage or segment changed (to a given value, or to any).",
    (Param("field", "Field", "choice", "stage", (("stage", "Lifecycle stage"), ("segment", "Segment"))),
     Param("value", "Value", "choice", "", (("", "any"), *LifecycleStage.choices, *Segment.choices))),
    frozenset({"account.stage_changed", "account.segment_changed"}), match=_entered,
))


# Scheduled triggers --------------------------------------------------------------------------

CONVERSATIONS = [k for k in InteractionKind.values if k != InteractionKind.NOTE]


def _live_accounts():
    return Account.objects.exclude(lifecycle_stage=LifecycleStage.CHURNED)


def _silence(params: dict, today: dt.date) -> Iterable[Candidate]:
    days = params["days"]
    cutoff = today - dt.timedelta(days=days)
    # "Before the cutoff day" as a plain comparison with its first moment (in the current time zone,
    # as ``__date`` would convert), so the database compares timestamps instead of casting each
    # account's last conversation to a date (on SQLite, a Python function call per row).
    before = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
    rows = (
        _live_accounts()
        .values("pk")  # grouped by the account's id alone, not by all its columns (SQLite sorts them all)
        .annotate(last=Max("interactions__occurred_at", filter=Q(interactions__kind__in=CONVERSATIONS)))
        .filter(Q(last__lt=before) | Q(last__isnull=True, created_at__lt=before))
        .values_list("pk", "last")
    )
    for pk, last in rows.iterator(chunk_size=5000):
        day = timezone.localdate(last) if last else None  # the filter above compares local days too
        since = day.isoformat() if day else "never"
        quiet = (today - day).days if day else None
        yield Candidate(pk, f"silent-since:{since}", {
            "last_conversation": since, "days_quiet": quiet if quiet is not None else f"over {days}"})


def _renewal(params: dict, today: dt.date) -> Iterable[Candidate]:
    until = today + dt.timedelta(days=params["days"])
    rows = _live_accounts().filter(next_renewal_date__gte=today, next_renewal_date__lte=until)
    for pk, renewal, arr in rows.values_list("pk", "next_renewal_date", "arr").iterator(chunk_size=5000):
        yield Candidate(pk, f"renewal:{renewal.isoformat()}", {
            "renewal_date": renewal.isoformat(), "days_to_renewal": (renewal - today).days, "arr": str(arr)})


register(Trigger(
    "no_interaction", "No conversation for N days",
    "No call, meeting, e-mail, event or business review logged in N days (notes do not count).",
    (Param("days", "Days", "int", 30, minimum=1),), scan=_silence,
))
register(Trigger(
    "renewal_in", "Renewal within N days",
    "The account's next renewal is N days away or less (fires once per renewal date).",
    (Param("days", "Days", "int", 90, minimum=0),), scan=_renewal,
))
