"""Plan and step writes with their audit, resources, needs and the gaps report."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.core.services import Actor
from paceline.engagement import selectors, services
from paceline.engagement.models import Need, NeedStatus, Touchpoint, TouchpointStep
from tests.engagement.conftest import TODAY
from tests.engagement.factories import NeedAreaFactory, NeedFactory, PlanFactory, ResourceFactory
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(leader):
    return Actor(user=leader, via="web")


def test_plan_and_steps_are_written_with_audit(lead):
    plan = services.plan_create(actor=lead, name=" Enterprise ", segment="enterprise")
    first = services.step_create(actor=lead, plan=plan, name="Kickoff", offset_days=7, purpose="Meet", expected_result="Goals agreed")
    second = services.step_create(actor=lead, plan=plan, name="QBR", offset_days=90, purpose="Review", expected_result="Plan renewed")
    services.step_update(actor=lead, step=second, window_days=21)
    assert plan.name == "Enterprise"
    assert (first.position, second.position) == (0, 1)
    changes = AuditEntry.objects.filter(target_type="engagement.touchpointstep", target_id=str(second.pk))
    assert [e.action for e in changes.order_by("id")] == ["create", "update"]
    assert changes.order_by("id").last().after == {"window_days": 21}


def test_a_plan_name_is_unique_whatever_the_case(lead):
    services.plan_create(actor=lead, name="Enterprise")
    with pytest.raises(ValidationError) as error:
        services.plan_create(actor=lead, name="enterprise")
    assert "name" in error.value.message_dict


def test_a_bad_step_names_the_field_and_saves_nothing(lead):
    plan = PlanFactory()
    with pytest.raises(ValidationError) as error:
        services.step_create(actor=lead, plan=plan, name="X", offset_days=5, purpose="", expected_result="y", kind="sms")
    assert {"purpose", "kind"} <= set(error.value.message_dict)
    assert not TouchpointStep.objects.exists()


def test_deleting_a_step_leaves_the_touchpoints_made_from_it(termed, lead):
    plan = PlanFactory()
    step = services.step_create(actor=lead, plan=plan, name="QBR", offset_days=150, purpose="Review", expected_result="OK")
    services.plan_apply(actor=lead, plan=plan, account=termed, today=TODAY)
    services.step_delete(actor=lead, step=step)
    tp = Touchpoint.objects.get(account=termed)
    assert tp.step is None and tp.name == "QBR" and tp.status == "planned"
    assert AuditEntry.objects.filter(target_type="engagement.touchpointstep", action="delete").exists()


def test_needs_open_once_per_area_and_are_met(account, actor):
    area = NeedAreaFactory(name="Reporting")
    contact = ContactFactory(account=account)
    need = services.need_open(actor=actor, account=account, area=area, note="Exec dashboard", contact=contact)
    with pytest.raises(ValidationError) as error:
        services.need_open(actor=actor, account=account, area=area)
    assert "area" in error.value.message_dict
    stranger = ContactFactory(account=AccountFactory())
    with pytest.raises(ValidationError) as error:
        services.need_open(actor=actor, account=account, area=NeedAreaFactory(), contact=stranger)
    assert "contact" in error.value.message_dict
    services.need_meet(actor=actor, need=need)
    need.refresh_from_db()
    assert need.status == NeedStatus.MET and need.met_on is not None
    assert ActivityEvent.objects.filter(kind__in=["need.opened", "need.met"]).count() == 2


def test_a_resource_needs_an_area_and_known_stages(lead):
    area = NeedAreaFactory()
    with pytest.raises(ValidationError) as error:
        services.resource_create(actor=lead, title="Guide", kind="article", areas=[])
    assert "areas" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.resource_create(actor=lead, title="Guide", kind="article", areas=[area], stages=["teenage"])
    assert "stages" in error.value.message_dict
    resource = services.resource_create(actor=lead, title="Guide", kind="article", areas=[area], stages=["adoption"])
    services.resource_deactivate(actor=lead, resource=resource)
    resource.refresh_from_db()
    assert resource.active is False
    assert AuditEntry.objects.filter(target_type="engagement.resource", action="update").get().after == {"active": False}


def test_the_gaps_report_counts_resources_per_stage_and_finds_needs_without_help(csm):
    reporting, billing = NeedAreaFactory(name="Reporting"), NeedAreaFactory(name="Billing")
    ResourceFactory(areas=[reporting], stages=["onboarding", "adoption"])
    ResourceFactory(areas=[reporting])  # every stage
    ResourceFactory(areas=[billing], active=False)
    ResourceFactory(areas=[billing], segments=["enterprise"])
    smb = AccountFactory(segment="smb", lifecycle_stage="adoption", owner=csm)
    ent = AccountFactory(segment="enterprise", lifecycle_stage="adoption", owner=csm)
    NeedFactory(account=smb, area=billing)
    NeedFactory(account=ent, area=billing)
    NeedFactory(account=smb, area=reporting)
    NeedFactory(account=AccountFactory(segment="smb", lifecycle_stage="adoption"), area=billing, status="met")

    report = selectors.gaps_report()
    stages = [s for s, _ in report.stages]
    rows = {area.name: dict(zip(stages, counts, strict=True)) for area, counts in report.rows}
    assert rows["Reporting"] == {"onboarding": 2, "adoption": 2, "maturity": 1, "renewal": 1}
    assert rows["Billing"] == {"onboarding": 1, "adoption": 1, "maturity": 1, "renewal": 1}
    assert [(g.area.name, g.stage, g.segment, g.accounts) for g in report.need_gaps] == [("Billing", "adoption", "smb", 1)]


def test_account_help_lists_resources_for_stage_and_segment_and_gaps_per_need(csm):
    area = NeedAreaFactory(name="Integrations")
    lonely = NeedAreaFactory(name="Security review")
    fits = ResourceFactory(title="API course", areas=[area], stages=["onboarding"], segments=["smb"])
    ResourceFactory(title="Enterprise only", areas=[area], segments=["enterprise"])
    account = AccountFactory(segment="smb", lifecycle_stage="onboarding", owner=csm)
    NeedFactory(account=account, area=area)
    NeedFactory(account=account, area=lonely)
    help_ = selectors.account_help(account=account)
    assert [r.title for r in help_.resources] == ["API course"]
    by_area = {n.area.name: n.resources for n in help_.needs}
    assert by_area == {"Integrations": [fits], "Security review": []}
    assert Need.objects.count() == 2
