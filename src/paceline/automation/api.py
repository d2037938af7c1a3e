"""The automation API: rules, firings, snoozes, playbooks and runs, channels and deliveries.

Everyone signed in reads rules, firings, snoozes, playbooks and runs; CSMs and leaders snooze a
rule for an account and start or cancel a playbook run; CS leaders write rules, playbooks and
channels, and alone read channels and deliveries (webhook targets and payloads are configuration).
A service's refusal is a 422 naming the field (``actions[1].params.title``). Lists page with
``limit``/``offset`` and cost a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import PatchDict, Query, Router, Status
from ninja.errors import AuthorizationError, HttpError

from paceline.automation import actions as action_registry
from paceline.automation import selectors, services, triggers
from paceline.automation.models import (
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Playbook,
    PlaybookRun,
    Rule,
)
from paceline.automation.params import Param
from paceline.automation.schemas import (
    ActionOut,
    ChannelCreatedOut,
    ChannelFields,
    ChannelOut,
    ChannelPage,
    DeliveryDetailOut,
    DeliveryFilters,
    DeliveryPage,
    FiringFilters,
    FiringPage,
    PlaybookFields,
    PlaybookOut,
    PlaybookPage,
    RuleFields,
    RuleOut,
    RulePage,
    RunFilters,
    RunIn,
    RunOut,
    RunPage,
    SnoozeFilters,
    SnoozeIn,
    SnoozeOut,
    SnoozePage,
    TriggerOut,
)
from paceline.core.schemas import PageParams, actor, get_or_404, page_of, refuse_unknown_params
from paceline.customers.models import Account
from paceline.users.permissions import is_leader

router = Router(tags=["Automation"])
P = "/automation"


def _leader_only(request: HttpRequest) -> None:
    if not is_leader(request.auth):
        raise AuthorizationError(message="Only a CS leader may do this: rules, playbooks and channels are shared "
                                         "configuration.")


def _params(declared: tuple[Param, ...]) -> list[dict[str, Any]]:
    return [{"name": p.name, "label": p.label, "type": p.type, "default": p.default, "required": p.required,
             "minimum": p.minimum, "choices": [list(c) for c in p.choices], "help": p.help} for p in declared]


# Registries ---------------------------------------------------------------------------------


@router.get(f"{P}/triggers", response=list[TriggerOut], summary="What can make a rule fire, with its parameters")
def trigger_list(request: HttpRequest):
    return [{"key": t.key, "label": t.label, "description": t.description, "scheduled": t.scheduled,
             "events": sorted(t.events), "params": _params(t.params)} for t in triggers.TRIGGERS.values()]


@router.get(f"{P}/actions", response=list[ActionOut], summary="What a rule can do, with its parameters")
def action_list(request: HttpRequest):
    return [{"key": a.key, "label": a.label, "description": (a.run.__doc__ or a.label).strip(),
             "params": _params(a.params)} for a in action_registry.ACTIONS.values()]


# Rules --------------------------------------------------------------------------------------


@router.get(f"{P}/rules", response=RulePage, summary="List rules")
def rule_list(request: HttpRequest, page: Query[PageParams]):
    refuse_unknown_params(request)
    return page_of(Rule.objects.order_by("name"), page)


@router.post(f"{P}/rules", response={201: RuleOut}, summary="Add a rule (CS leaders)")
def rule_create(request: HttpRequest, payload: RuleFields):
    _leader_only(request)
    return Status(201, services.rule_create(actor=actor(request), **payload.model_dump()))


@router.get(P + "/rules/{int:rule_id}", response=RuleOut, summary="Get a rule")
def rule_get(request: HttpRequest, rule_id: int):
    return get_or_404(Rule.objects.all(), rule_id, "rule")


@router.patch(P + "/rules/{int:rule_id}", response=RuleOut, summary="Change a rule (CS leaders)")
def rule_update(request: HttpRequest, rule_id: int, payload: PatchDict[RuleFields]):
    _leader_only(request)
    rule = get_or_404(Rule.objects.all(), rule_id, "rule")
    return services.rule_update(actor=actor(request), rule=rule, **payload)


@router.delete(P + "/rules/{int:rule_id}", response={204: None}, summary="Delete a rule and its log (CS leaders)")
def rule_delete(request: HttpRequest, rule_id: int):
    _leader_only(request)
    services.rule_delete(actor=actor(request), rule=get_or_404(Rule.objects.all(), rule_id, "rule"))
    return Status(204, None)


# Firings and snoozes ------------------------------------------------------------------------


@router.get(f"{P}/firings", response=FiringPage, summary="The firing log: when, why, what each action did")
def firing_list(request: HttpRequest, filters: Query[FiringFilters], page: Query[PageParams]):
    refuse_unknown_params(request, FiringFilters)
    return page_of(selectors.firings(rule_id=filters.rule_id, account_id=filters.account_id,
                                     status=filters.status or ""), page)


@router.get(f"{P}/snoozes", response=SnoozePage, summary="Rules snoozed for accounts (not yet expired)")
def snooze_list(request: HttpRequest, filters: Query[SnoozeFilters], page: Query[PageParams]):
    refuse_unknown_params(request, SnoozeFilters)
    qs = selectors.snoozes()
    if filters.rule_id:
        qs = qs.filter(rule_id=filters.rule_id)
    if filters.account_id:
        qs = qs.filter(account_id=filters.account_id)
    return page_of(qs, page)


@router.post(f"{P}/snoozes", response={201: SnoozeOut}, summary="Snooze a rule for an account until a date")
def snooze_set(request: HttpRequest, payload: SnoozeIn):
    rule = get_or_404(Rule.objects.all(), payload.rule_id, "rule")
    account = get_or_404(Account.objects.all(), payload.account_id, "account")
    return Status(201, services.snooze_set(actor=actor(request), rule=rule, account=account, until=payload.until,
                                           reason=payload.reason))


@router.delete(P + "/snoozes/{int:snooze_id}", response={204: None}, summary="Wake a snoozed rule")
def snooze_clear(request: HttpRequest, snooze_id: int):
    snooze = get_or_404(selectors.snoozes(active_only=False), snooze_id, "snooze")
    services.snooze_clear(actor=actor(request), snooze=snooze)
    return Status(204, None)


# Playbooks and runs -------------------------------------------------------------------------


def _playbooks():
    return Playbook.objects.prefetch_related("steps").order_by("name")


def _steps(payload: PlaybookFields) -> list[dict[str, Any]]:
    return [s.model_dump(exclude_unset=True) for s in payload.steps]


@router.get(f"{P}/playbooks", response=PlaybookPage, summary="List playbooks with their steps")
def playbook_list(request: HttpRequest, page: Query[PageParams]):
    refuse_unknown_params(request)
    return page_of(_playbooks(), page)


@router.post(f"{P}/playbooks", response={201: PlaybookOut}, summary="Add a playbook with its steps (CS leaders)")
def playbook_create(request: HttpRequest, payload: PlaybookFields):
    _leader_only(request)
    fields = payload.model_dump(exclude={"steps"})
    playbook = services.playbook_create(actor=actor(request), steps=_steps(payload), **fields)
    return Status(201, get_or_404(_playbooks(), playbook.pk, "playbook"))


@router.get(P + "/playbooks/{int:playbook_id}", response=PlaybookOut, summary="Get a playbook")
def playbook_get(request: HttpRequest, playbook_id: int):
    return get_or_404(_playbooks(), playbook_id, "playbook")


@router.put(P + "/playbooks/{int:playbook_id}", response=PlaybookOut,
            summary="Replace a playbook and its steps (CS leaders); steps with an id are kept and changed")
def playbook_update(request: HttpRequest, playbook_id: int, payload: PlaybookFields):
    _leader_only(request)
    playbook = get_or_404(Playbook.objects.all(), playbook_id, "playbook")
    services.playbook_update(actor=actor(request), playbook=playbook, steps=_steps(payload),
                             **payload.model_dump(exclude={"steps"}))
    return get_or_404(_playbooks(), playbook.pk, "playbook")


@router.delete(P + "/playbooks/{int:playbook_id}", response={204: None},
               summary="Delete a playbook nobody has run (CS leaders)")
def playbook_delete(request: HttpRequest, playbook_id: int):
    _leader_only(request)
    services.playbook_delete(actor=actor(request), playbook=get_or_404(Playbook.objects.all(), playbook_id, "playbook"))
    return Status(204, None)


def _run(pk: int) -> PlaybookRun:
    return selectors.with_progress([get_or_404(selectors.runs(), pk, "playbook run")])[0]


@router.post(P + "/playbooks/{int:playbook_id}/runs", response={201: RunOut}, summary="Start a playbook on an account")
def run_start(request: HttpRequest, playbook_id: int, payload: RunIn):
    playbook = get_or_404(Playbook.objects.all(), playbook_id, "playbook")
    account = get_or_404(Account.objects.all(), payload.account_id, "account")
    run = services.playbook_start(actor=actor(request), playbook=playbook, account=account)
    return Status(201, _run(run.pk))


@router.get(f"{P}/runs", response=RunPage, summary="Playbook runs with their progress")
def run_list(request: HttpRequest, filters: Query[RunFilters], page: Query[PageParams]):
    refuse_unknown_params(request, RunFilters)
    qs = selectors.runs(status=filters.status or "")
    if filters.playbook_id:
        qs = qs.filter(playbook_id=filters.playbook_id)
    if filters.account_id:
        qs = qs.filter(account_id=filters.account_id)
    result = page_of(qs, page)
    result["items"] = selectors.with_progress(result["items"])
    return result


@router.post(P + "/runs/{int:run_id}/cancel", response=RunOut, summary="Stop a run; its open work is cancelled")
def run_cancel(request: HttpRequest, run_id: int):
    services.playbook_run_cancel(actor=actor(request), run=get_or_404(selectors.runs(), run_id, "playbook run"))
    return _run(run_id)


# Channels and deliveries (CS leaders) -------------------------------------------------------


@router.get(f"{P}/channels", response=ChannelPage, summary="List channels (CS leaders)")
def channel_list(request: HttpRequest, page: Query[PageParams]):
    _leader_only(request)
    refuse_unknown_params(request)
    return page_of(Channel.objects.order_by("name"), page)


@router.post(f"{P}/channels", response={201: ChannelCreatedOut},
             summary="Add a channel (CS leaders); the signing secret is returned this once")
def channel_create(request: HttpRequest, payload: ChannelFields):
    _leader_only(request)
    channel, _ = services.channel_create(actor=actor(request), **payload.model_dump())
    return Status(201, channel)


@router.patch(P + "/channels/{int:channel_id}", response=ChannelOut, summary="Change a channel (CS leaders)")
def channel_update(request: HttpRequest, channel_id: int, payload: PatchDict[ChannelFields]):
    _leader_only(request)
    channel = get_or_404(Channel.objects.all(), channel_id, "channel")
    return services.channel_update(actor=actor(request), channel=channel, **payload)


@router.post(P + "/channels/{int:channel_id}/test", response={201: DeliveryDetailOut},
             summary="Send a test notification (CS leaders)")
def channel_test(request: HttpRequest, channel_id: int):
    _leader_only(request)
    delivery = services.channel_test(actor=actor(request), channel=get_or_404(Channel.objects.all(), channel_id, "channel"))
    return Status(201, _delivery(delivery.pk))


def _delivery(pk: int) -> Delivery:
    return get_or_404(Delivery.objects.prefetch_related(Prefetch("log", queryset=DeliveryAttempt.objects.all())), pk,
                "delivery")


@router.get(f"{P}/deliveries", response=DeliveryPage, summary="The delivery log (CS leaders)")
def delivery_list(request: HttpRequest, filters: Query[DeliveryFilters], page: Query[PageParams]):
    _leader_only(request)
    refuse_unknown_params(request, DeliveryFilters)
    return page_of(selectors.deliveries(status=filters.status or "", channel_id=filters.channel_id), page)


@router.get(P + "/deliveries/{int:delivery_id}", response=DeliveryDetailOut,
            summary="One delivery with its payload and each attempt (CS leaders)")
def delivery_get(request: HttpRequest, delivery_id: int):
    _leader_only(request)
    return _delivery(delivery_id)


@router.post(P + "/deliveries/{int:delivery_id}/retry", response=DeliveryDetailOut,
             summary="Try a failed delivery again now (CS leaders)")
def delivery_retry(request: HttpRequest, delivery_id: int):
    _leader_only(request)
    delivery = get_or_404(Delivery.objects.all(), delivery_id, "delivery")
    if delivery.status != DeliveryStatus.FAILED:
        raise HttpError(409, f"Only a failed delivery can be retried; this one is {delivery.status}.")
    services.delivery_retry(delivery=delivery)
    return _delivery(delivery_id)
