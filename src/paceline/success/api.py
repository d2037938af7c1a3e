"""Success plans over REST: plans with their tree, goals and their lifecycle, metrics, pace,
measurements (one or in bulk), commitments, the template library and share links.

Endpoints parse and dispatch: the schema validates, references are looked up, values are read in
their metric's unit, and one service writes with ``Actor(via="api")``. A service's refusal comes
back as a 422 naming the API's own field (``contact_id``, not ``agreed_by_contact``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields as dataclass_fields
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import PatchDict, Query, Router, Status
from ninja.errors import HttpError, ValidationError

from paceline.core.schemas import PageParams, page_of, refuse_unknown_params
from paceline.customers.models import Contact
from paceline.success import selectors, services, sharing
from paceline.success.api_actions import actions
from paceline.success.api_input import (
    API_FIELD_NAMES,
    account_of,
    actor,
    error,
    get_or_404,
    invalid,
    laps,
    ref,
    refused,
    resolve,
    values,
)
from paceline.success.api_templates import templates
from paceline.success.models import (
    GOOD_PACE,
    OPEN_GOAL_STATUSES,
    Goal,
    Measurement,
    MeasurementSource,
    MetricChange,
    PlanTemplate,
    ShareLink,
    SuccessMetric,
    SuccessPlan,
)
from paceline.success.schemas import (
    AgreeIn,
    BulkIn,
    BulkOut,
    CheckpointsIn,
    CloseIn,
    GoalFields,
    GoalIn,
    GoalOut,
    MeasurementFilters,
    MeasurementIn,
    MeasurementOut,
    MeasurementPage,
    MetricChangeOut,
    MetricChangePage,
    MetricFields,
    MetricIn,
    MetricOut,
    MetricSourceOut,
    PaceOut,
    PlanDetailOut,
    PlanFields,
    PlanFilters,
    PlanIn,
    PlanPage,
    RenegotiateIn,
    ReplaceIn,
    ReviewIn,
    ShareLinkCreated,
    ShareLinkIn,
    ShareLinkPage,
    metric_value,
)
from paceline.success.sources import all_sources
from paceline.users.models import User

# The customer's read-only page; the raw token is its only key.
SHARE_PATH = "/shared/{token}/"

router = Router()
plans = Router(tags=["success plans"])
goals = Router(tags=["goals"])
metrics = Router(tags=["success metrics"])
measurements = Router(tags=["measurements"])
share_links = Router(tags=["share links"])
metric_sources = Router(tags=["success metrics"])


# Plans ------------------------------------------------------------------------------------------


def _plans() -> QuerySet[SuccessPlan]:
    # One join on goals counts all three, so a page of plans stays two queries.
    open_goals = Q(goals__status__in=OPEN_GOAL_STATUSES)
    # A goal whose metrics have no measurement yet is neither on nor off pace: not counted.
    measured = open_goals & ~Q(goals__pace_status__in=("", "no_data"))
    return SuccessPlan.objects.annotate(
        goals_open=Count("goals", filter=open_goals),
        goals_measured=Count("goals", filter=measured),
        goals_on_pace=Count("goals", filter=measured & Q(goals__pace_status__in=GOOD_PACE)),
    )


def _pace(metric: SuccessMetric, today: dt.date) -> dict[str, Any]:
    pace = services.metric_pace(
        metric, today, measurements=metric.measurements.all(), checkpoints=metric.checkpoints.all()
    )
    return {
        **{f.name: getattr(pace, f.name) for f in dataclass_fields(pace)},
        "as_of": today,
        "required_rate_per_day": pace.required_rate,
        "actual_rate_per_day": pace.actual_rate,
    }


def _plan_detail(plan_id: int) -> SuccessPlan:
    """The plan with its tree, each metric paced as of today: a fixed number of queries."""
    try:
        tree = selectors.plan_tree(plan_id=plan_id)
    except SuccessPlan.DoesNotExist:
        raise HttpError(404, f"No success plan with id {plan_id}.") from None
    today = timezone.localdate()
    for metric in tree.metrics:
        metric.pace = _pace(metric, today)
    plan = tree.plan
    # Each commitment names its plan and account: give it the goal already loaded, not a query.
    goals_by_id = {goal.pk: goal for goal in tree.all_goals}
    for action in tree.actions:
        action.goal = goals_by_id[action.goal_id]
    plan.goal_tree = tree.goals
    plan.goals_on_pace, plan.goals_measured = tree.goals_on_pace
    plan.pace_counts = dict(tree.pace_counts)
    plan.commitments = selectors.commitment_counts(tree.actions)
    return plan


def _plan_fields(data: dict[str, Any]) -> dict[str, Any]:
    resolve(data, "owner_id", "owner", User)
    resolve(data, "customer_owner_id", "customer_owner", Contact)
    return data


@plans.get("", response=PlanPage, summary="List success plans, newest first")
def plan_list(request: HttpRequest, filters: Query[PlanFilters], page: Query[PageParams]):
    refuse_unknown_params(request, PlanFilters)
    return page_of(filters.filter(_plans()), page)


@plans.post(
    "", response={201: PlanDetailOut}, summary="Create a success plan, from scratch or laid out from a template"
)
def plan_create(request: HttpRequest, payload: PlanIn):
    data = payload.model_dump(exclude_unset=True)
    account = account_of(data)
    if account is None:
        raise invalid("account_id", "Give account_id or account_external_id.")
    owner = ref(User, "owner_id", data.pop("owner_id")) if "owner_id" in data else request.auth
    template_id, start = data.pop("template_id", None), data.pop("start", None)
    if template_id is not None:
        extra = sorted(name for name, value in data.items() if name != "title" and value is not None)
        if extra:
            raise ValidationError(
                [error(["body", name], "The template sets this; change the plan once it exists.") for name in extra]
            )
        template = ref(PlanTemplate, "template_id", template_id)
        if not template.is_active:
            raise invalid("template_id", f"The template '{template.name}' is deactivated.")
        with refused():
            plan = services.plan_create_from_template(
                actor=actor(request), account=account, template=template, start=start,
                title=data.get("title") or "", owner=owner,
            )
        return Status(201, _plan_detail(plan.pk))
    if start is not None:
        raise invalid("start", "A start date lays out a template: give template_id too.")
    if not data.get("title"):
        raise invalid("title", "Give the plan a title (or a template_id to lay it out from).")
    # null means "the default" for the optional fields.
    fields = _plan_fields({name: value for name, value in data.items() if value is not None})
    with refused():
        plan = services.plan_create(actor=actor(request), account=account, owner=owner, **fields)
    return Status(201, _plan_detail(plan.pk))


@plans.get(
    "/{int:plan_id}", response=PlanDetailOut,
    summary="Get a plan: goals, sub-goals, metrics with pace, commitments",
)
def plan_get(request: HttpRequest, plan_id: int):
    return _plan_detail(plan_id)


@plans.patch("/{int:plan_id}", response=PlanDetailOut, summary="Change some of a plan's fields")
def plan_update(request: HttpRequest, plan_id: int, payload: PatchDict[PlanFields]):
    plan = get_or_404(SuccessPlan.objects.all(), plan_id, "success plan")
    fields = _plan_fields(payload)
    with refused():
        services.plan_update(actor=actor(request), plan=plan, **fields)
    return _plan_detail(plan.pk)


@plans.delete("/{int:plan_id}", response={204: None}, summary="Delete a plan with its goals, metrics and commitments")
def plan_delete(request: HttpRequest, plan_id: int):
    plan = get_or_404(SuccessPlan.objects.all(), plan_id, "success plan")
    services.plan_delete(actor=actor(request), plan=plan)
    return Status(204, None)


@plans.post("/{int:plan_id}/review", response=PlanDetailOut, summary="Mark the plan reviewed with the customer")
def plan_review(request: HttpRequest, plan_id: int, payload: ReviewIn):
    plan = get_or_404(SuccessPlan.objects.all(), plan_id, "success plan")
    with refused():
        services.plan_mark_reviewed(actor=actor(request), plan=plan, on=payload.on)
    return _plan_detail(plan.pk)


# Share links ------------------------------------------------------------------------------------


@plans.get(
    "/{int:plan_id}/share-links", response=ShareLinkPage, tags=["share links"],
    summary="The plan's share links, newest first (never their tokens)",
)
def share_link_list(request: HttpRequest, plan_id: int, page: Query[PageParams]):
    refuse_unknown_params(request)
    plan = get_or_404(SuccessPlan.objects.all(), plan_id, "success plan")
    return page_of(ShareLink.objects.filter(plan=plan), page)


@plans.post(
    "/{int:plan_id}/share-links", response={201: ShareLinkCreated}, tags=["share links"],
    summary="Share the plan with the customer: a read-only link, its URL shown this once",
)
def share_link_create(request: HttpRequest, plan_id: int, payload: ShareLinkIn):
    plan = get_or_404(SuccessPlan.objects.all(), plan_id, "success plan")
    with refused():
        link, raw = sharing.share_link_create(actor=actor(request), plan=plan, **payload.model_dump())
    link.token = raw
    link.url = request.build_absolute_uri(SHARE_PATH.format(token=raw))
    return Status(201, link)


@share_links.delete("/{int:link_id}", response={204: None}, summary="Revoke a share link (it stops working at once)")
def share_link_revoke(request: HttpRequest, link_id: int):
    link = get_or_404(ShareLink.objects.select_related("plan"), link_id, "share link")
    sharing.share_link_revoke(actor=actor(request), link=link)
    return Status(204, None)


# Goals ------------------------------------------------------------------------------------------


def _goals() -> QuerySet[Goal]:
    return Goal.objects.select_related("plan")


@goals.post("", response={201: GoalOut}, summary="Create a goal, or a sub-goal with parent_id")
def goal_create(request: HttpRequest, payload: GoalIn):
    data = payload.model_dump(exclude_unset=True)
    plan = ref(SuccessPlan, "plan_id", data.pop("plan_id", None))
    resolve(data, "parent_id", "parent", _goals())
    if plan is None:
        if data.get("parent") is None:
            raise invalid("plan_id", "Give plan_id (or parent_id for a sub-goal).")
        plan = data["parent"].plan
    with refused():
        goal = services.goal_create(actor=actor(request), plan=plan, **data)
    return Status(201, goal)


@goals.get("/{int:goal_id}", response=GoalOut, summary="Get a goal")
def goal_get(request: HttpRequest, goal_id: int):
    return get_or_404(Goal.objects.all(), goal_id, "goal")


@goals.patch("/{int:goal_id}", response=GoalOut, summary="Change some of a goal's fields")
def goal_update(request: HttpRequest, goal_id: int, payload: PatchDict[GoalFields]):
    goal = get_or_404(_goals(), goal_id, "goal")
    resolve(payload, "parent_id", "parent", _goals())
    with refused():
        return services.goal_update(actor=actor(request), goal=goal, **payload)


@goals.delete(
    "/{int:goal_id}", response={204: None}, summary="Delete a goal with its sub-goals, metrics and commitments"
)
def goal_delete(request: HttpRequest, goal_id: int):
    services.goal_delete(actor=actor(request), goal=get_or_404(_goals(), goal_id, "goal"))
    return Status(204, None)


@goals.post("/{int:goal_id}/agree", response=GoalOut, summary="Record that the customer agreed a proposed goal")
def goal_agree(request: HttpRequest, goal_id: int, payload: AgreeIn):
    goal = get_or_404(_goals(), goal_id, "goal")
    contact = ref(Contact, "contact_id", payload.contact_id)
    with refused():
        return services.goal_agree(actor=actor(request), goal=goal, contact=contact, on=payload.on)


@goals.post("/{int:goal_id}/activate", response=GoalOut, summary="Start work on a proposed or agreed goal")
def goal_activate(request: HttpRequest, goal_id: int):
    goal = get_or_404(_goals(), goal_id, "goal")
    with refused():
        return services.goal_activate(actor=actor(request), goal=goal)


@goals.post("/{int:goal_id}/close", response=GoalOut, summary="Close a goal as hit, missed or retired")
def goal_close(request: HttpRequest, goal_id: int, payload: CloseIn):
    goal = get_or_404(_goals(), goal_id, "goal")
    with refused():
        return services.goal_close(actor=actor(request), goal=goal, **payload.model_dump())


@goals.post(
    "/{int:goal_id}/replace", response={201: GoalOut},
    summary="The goal itself changed: close it as changed and propose its successor (returned)",
)
def goal_replace(request: HttpRequest, goal_id: int, payload: ReplaceIn):
    goal = get_or_404(_goals(), goal_id, "goal")
    with refused():
        successor = services.goal_replace(actor=actor(request), goal=goal, **payload.model_dump())
    return Status(201, successor)


# Metrics ----------------------------------------------------------------------------------------


def _metrics() -> QuerySet[SuccessMetric]:
    return SuccessMetric.objects.select_related("goal__plan")


def _metric_detail(metric_id: int) -> SuccessMetric:
    metric = get_or_404(
        _metrics().prefetch_related(
            "checkpoints", Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on")), "changes"
        ),
        metric_id,
        "metric",
    )
    metric.pace = _pace(metric, timezone.localdate())
    return metric


@metrics.post("", response={201: MetricOut}, summary="Attach a success metric (with its checkpoints) to a goal")
def metric_create(request: HttpRequest, payload: MetricIn):
    data = payload.model_dump(exclude_unset=True)
    goal = ref(_goals(), "goal_id", data.pop("goal_id"))
    unit = data.get("unit", payload.unit)
    values(data, unit, "baseline", "target", "denominator")
    checkpoints = laps(data.pop("checkpoints", []), unit)
    with refused():
        metric = services.metric_create(actor=actor(request), goal=goal, checkpoints=checkpoints, **data)
    return Status(201, _metric_detail(metric.pk))


@metrics.get("/{int:metric_id}", response=MetricOut, summary="Get a metric with its checkpoints, pace and changes")
def metric_get(request: HttpRequest, metric_id: int):
    return _metric_detail(metric_id)


@metrics.patch(
    "/{int:metric_id}", response=MetricOut,
    summary="Change some of a metric's fields (an agreed goal's target changes only by renegotiation)",
)
def metric_update(request: HttpRequest, metric_id: int, payload: PatchDict[MetricFields]):
    metric = get_or_404(_metrics(), metric_id, "metric")
    values(payload, payload.get("unit") or metric.unit, "baseline", "target", "denominator")
    with refused():
        services.metric_update(actor=actor(request), metric=metric, **payload)
    return _metric_detail(metric.pk)


@metrics.delete("/{int:metric_id}", response={204: None}, summary="Delete a metric with its measurements")
def metric_delete(request: HttpRequest, metric_id: int):
    services.metric_delete(actor=actor(request), metric=get_or_404(_metrics(), metric_id, "metric"))
    return Status(204, None)


@metrics.put("/{int:metric_id}/checkpoints", response=MetricOut, summary="Replace the metric's checkpoints (laps)")
def metric_checkpoints(request: HttpRequest, metric_id: int, payload: CheckpointsIn):
    metric = get_or_404(_metrics(), metric_id, "metric")
    checkpoints = laps(payload.model_dump()["checkpoints"], metric.unit)
    with refused():
        services.checkpoints_set(actor=actor(request), metric=metric, checkpoints=checkpoints)
    return _metric_detail(metric.pk)


@metrics.post(
    "/{int:metric_id}/renegotiate", response={201: MetricChangeOut},
    summary="Renegotiate the target with the customer, keeping the history and what held",
)
def metric_renegotiate(request: HttpRequest, metric_id: int, payload: RenegotiateIn):
    metric = get_or_404(_metrics(), metric_id, "metric")
    data = payload.model_dump()
    values(data, metric.unit, "new_target", "new_denominator")
    contact = ref(Contact, "contact_id", data.pop("contact_id"))
    with refused(target="new_target", target_date="new_target_date", denominator="new_denominator"):
        change = services.metric_renegotiate(actor=actor(request), metric=metric, agreed_by_contact=contact, **data)
    return Status(201, change)


@metrics.get("/{int:metric_id}/pace", response=PaceOut, summary="The metric's pace as of today")
def metric_pace(request: HttpRequest, metric_id: int):
    return _metric_detail(metric_id).pace


@metrics.get("/{int:metric_id}/changes", response=MetricChangePage, summary="The metric's renegotiations, oldest first")
def metric_changes(request: HttpRequest, metric_id: int, page: Query[PageParams]):
    refuse_unknown_params(request)
    metric = get_or_404(SuccessMetric.objects.all(), metric_id, "metric")
    return page_of(MetricChange.objects.filter(metric=metric), page)


@metrics.get(
    "/{int:metric_id}/measurements", response=MeasurementPage, summary="The metric's measurements, oldest first"
)
def measurement_list(
    request: HttpRequest, metric_id: int, filters: Query[MeasurementFilters], page: Query[PageParams]
):
    refuse_unknown_params(request, MeasurementFilters)
    metric = get_or_404(SuccessMetric.objects.all(), metric_id, "metric")
    return page_of(filters.filter(Measurement.objects.filter(metric=metric)), page)


@metrics.post(
    "/{int:metric_id}/measurements", response={201: MeasurementOut},
    summary="Record the metric's value on a day (replacing that day's value), then re-pace it",
)
def measurement_create(request: HttpRequest, metric_id: int, payload: MeasurementIn):
    metric = get_or_404(_metrics(), metric_id, "metric")
    data = payload.model_dump()
    values(data, metric.unit, "value")
    with refused():
        measurement = services.measurement_record(
            actor=actor(request), metric=metric, source=MeasurementSource.API, **data
        )
    return Status(201, measurement)


@metric_sources.get("", response=list[MetricSourceOut], summary="Computed sources a metric can be bound to")
def metric_source_list(request: HttpRequest):
    return all_sources()


# Measurements -----------------------------------------------------------------------------------


class _RollBack(Exception):
    """Undo a bulk write whose rows passed the service but others in the request did not."""


@measurements.post(
    "/bulk", response={201: BulkOut},
    summary="Record many measurements, all or nothing (a 422 lists every bad row)",
)
def measurement_bulk(request: HttpRequest, payload: BulkIn):
    data = payload.model_dump()
    account = account_of(data)
    found = _metrics().in_bulk({row["metric_id"] for row in data["rows"]})
    problems: list[tuple[int, str, str]] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    for index, row in enumerate(data["rows"]):
        metric = found.get(row["metric_id"])
        if metric is None:
            problems.append((index, "metric_id", f"No metric with id {row['metric_id']}."))
            continue
        try:
            value = metric_value(metric.unit, row["value"])
        except ValueError as exc:
            problems.append((index, "value", str(exc)))
            continue
        rows.append((index, {"metric": metric, "measured_on": row["measured_on"], "value": value,
                             "note": row["note"], "unit": row["unit"]}))
    written: list[Measurement] = []
    try:
        # The service checks the rows it can read; when others could not even be read, its
        # writes are undone, so the caller learns every bad row and nothing is kept.
        with transaction.atomic():
            written = services.measurements_record_bulk(
                actor=actor(request), rows=[row for _, row in rows], source=MeasurementSource.API, account=account
            )
            if problems:
                raise _RollBack
    except services.BulkError as exc:
        problems += [(rows[i][0], API_FIELD_NAMES.get(field, field), reason) for i, field, reason in exc.rows]
    except _RollBack:
        pass
    if problems:
        raise ValidationError([error(["body", "rows", i, field], reason) for i, field, reason in sorted(problems)])
    return Status(201, {"count": len(written), "items": written})


@measurements.delete(
    "/{int:measurement_id}", response={204: None}, summary="Delete a measurement and re-pace its metric"
)
def measurement_delete(request: HttpRequest, measurement_id: int):
    measurement = get_or_404(Measurement.objects.select_related("metric__goal__plan"), measurement_id, "measurement")
    services.measurement_delete(actor=actor(request), measurement=measurement)
    return Status(204, None)


router.add_router("/plans", plans)
router.add_router("/goals", goals)
router.add_router("/metrics", metrics)
router.add_router("/measurements", measurements)
router.add_router("/action-items", actions)
router.add_router("/plan-templates", templates)
router.add_router("/share-links", share_links)
router.add_router("/metric-sources", metric_sources)
