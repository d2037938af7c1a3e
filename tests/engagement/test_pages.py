"""The engagement pages by persona: leaders edit plans and the catalogue, CSMs act on accounts,
viewers read, anonymous visitors go to the login page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paceline.core.models import AuditEntry
from paceline.engagement.models import (
    Need,
    NeedArea,
    Resource,
    Touchpoint,
    TouchpointPlan,
    TouchpointStep,
)
from tests.engagement.conftest import START, TODAY
from tests.engagement.factories import (
    NeedAreaFactory,
    NeedFactory,
    PlanFactory,
    ResourceFactory,
    StepFactory,
)
from tests.factories import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

D = dt.timedelta


@pytest.fixture
def plan():
    plan = PlanFactory(name="Mid-market journey", segment="mid_market")
    StepFactory(plan=plan, name="Kickoff", offset_days=7, purpose="Meet the team", expected_result="Goals agreed")
    StepFactory(plan=plan, name="Renewal prep", anchor="renewal", offset_days=90)
    return plan


@pytest.mark.parametrize("url", ["/touchpoint-plans/", "/resources/", "/resources/gaps/"])
def test_anonymous_visitors_go_to_login(anon_client, url):
    response = anon_client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_plans_list_and_page_show_steps_on_the_line(viewer_client, plan):
    listing = viewer_client.get("/touchpoint-plans/")
    assert listing.status_code == 200 and "Mid-market journey" in listing.content.decode()
    assert listing.context["nav"] == "touchpoints"
    page = viewer_client.get(f"/touchpoint-plans/{plan.pk}/").content.decode()
    assert "Kickoff" in page and "Goals agreed" in page and "Renewal" in page
    assert "Add step" not in page  # read-only for viewers
    line = viewer_client.get(f"/touchpoint-plans/{plan.pk}/").context["line"]
    assert [item.step.name for item in line] == ["Kickoff", "Renewal prep"]
    assert line[0].at < line[1].at


@pytest.mark.parametrize("persona", ["csm_client", "other_csm_client", "viewer_client"])
def test_only_leaders_write_plans(persona, request, plan):
    client = request.getfixturevalue(persona)
    assert client.get("/touchpoint-plans/new/").status_code == 403
    assert client.post("/touchpoint-plans/new/", {"name": "Mine"}).status_code == 403
    step = plan.steps.first()
    assert client.post(f"/touchpoint-plans/{plan.pk}/steps/{step.pk}/delete/").status_code == 403
    assert TouchpointStep.objects.filter(pk=step.pk).exists()
    assert not TouchpointPlan.objects.filter(name="Mine").exists()


def test_a_leader_creates_a_plan_and_its_steps(leader_client):
    response = leader_client.post("/touchpoint-plans/new/", {"name": "SMB", "segment": "smb", "auto_apply": "on",
                                                             "active": "on"})
    plan = TouchpointPlan.objects.get(name="SMB")
    assert response.status_code == 302 and response["Location"] == f"/touchpoint-plans/{plan.pk}/"
    step = {"name": "Kickoff", "kind": "meeting", "anchor": "start", "offset_days": 7, "window_days": 5,
            "purpose": "Meet", "expected_result": "Goals agreed", "owner_role": "owner"}
    assert leader_client.post(f"/touchpoint-plans/{plan.pk}/steps/new/", step).status_code == 302
    made = plan.steps.get()
    assert (made.kind, made.offset_days, made.window_days) == ("meeting", 7, 5)
    edit = leader_client.post(f"/touchpoint-plans/{plan.pk}/steps/{made.pk}/edit/", {**step, "offset_days": 14})
    assert edit.status_code == 302
    made.refresh_from_db()
    assert made.offset_days == 14 and made.position == 0
    assert AuditEntry.objects.filter(target_type="engagement.touchpointstep").count() == 2


def test_bad_step_input_names_the_field_and_saves_nothing(leader_client, plan):
    before = plan.steps.count()
    response = leader_client.post(f"/touchpoint-plans/{plan.pk}/steps/new/", {
        "name": "X", "kind": "any", "anchor": "start", "offset_days": -3, "window_days": 5, "purpose": "",
        "expected_result": "y", "owner_role": "owner"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"offset_days", "purpose"}
    assert plan.steps.count() == before


def test_a_duplicate_plan_name_is_refused_on_the_name(leader_client, plan):
    response = leader_client.post("/touchpoint-plans/new/", {"name": "mid-market JOURNEY"})
    assert response.status_code == 400 and "name" in response.context["form"].errors


def test_a_leader_deletes_a_plan_and_touchpoints_stay(leader_client, plan, termed, actor):
    from paceline.engagement import services

    StepFactory(plan=plan, offset_days=150)
    services.plan_apply(actor=actor, plan=plan, account=termed, today=TODAY)
    assert leader_client.post(f"/touchpoint-plans/{plan.pk}/delete/").status_code == 302
    assert not TouchpointPlan.objects.filter(pk=plan.pk).exists()
    assert Touchpoint.objects.filter(account=termed, plan=None).count() == 2  # the review and the renewal prep


# The account's panels --------------------------------------------------------------------------


def test_the_account_page_shows_the_touchpoint_plan_and_help(csm_client, termed, plan):
    tp = Touchpoint.objects.create(account=termed, name="Adoption check", due_date=TODAY - D(days=3), window_days=7,
                                   purpose="See usage", expected_result="Three teams live", owner=termed.owner)
    Touchpoint.objects.create(account=termed, name="Kickoff", due_date=START + D(days=5), status="missed")
    area = NeedAreaFactory(name="Reporting")
    NeedFactory(account=termed, area=area, note="Board pack")
    page = csm_client.get(f"/accounts/{termed.pk}/").content.decode()
    assert 'id="panel-touchpoints"' in page and 'id="panel-help"' in page
    assert f'id="touchpoint-{tp.pk}"' in page and "Three teams live" in page and "Overdue" in page
    assert "No resource: gap" in page and "Board pack" in page
    assert "Mid-market journey" in page  # offered in the apply select


def test_a_viewer_sees_the_panels_without_actions(viewer_client, termed):
    Touchpoint.objects.create(account=termed, name="Adoption check", due_date=TODAY + D(days=3))
    page = viewer_client.get(f"/accounts/{termed.pk}/").content.decode()
    assert "Adoption check" in page and "Record result" not in page and "Note a need" not in page


def test_a_csm_applies_a_plan_by_hand_with_htmx(csm_client, termed, plan):
    StepFactory(plan=plan, name="Mid-term review", offset_days=150)
    response = csm_client.post(f"/accounts/{termed.pk}/touchpoint-plan/apply/", {"plan": plan.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Mid-term review" in response.content.decode() and "applied" in response.content.decode()
    assert Touchpoint.objects.filter(account=termed, plan=plan).count() == 2  # renewal prep and the review


def test_applying_without_a_contract_says_why_and_changes_nothing(csm_client, account, plan):
    response = csm_client.post(f"/accounts/{account.pk}/touchpoint-plan/apply/", {"plan": plan.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "no active contract" in response.content.decode()
    assert not Touchpoint.objects.exists()


def test_a_csm_adds_records_reschedules_and_cancels_touchpoints(other_csm_client, termed):
    add = other_csm_client.post(f"/accounts/{termed.pk}/touchpoints/new/", {
        "name": "Exec sponsor call", "kind": "call", "due_date": (TODAY + D(days=10)).isoformat(), "window_days": 5})
    assert add.status_code == 302
    tp = Touchpoint.objects.get(name="Exec sponsor call")
    assert tp.owner == termed.owner and tp.kind == "call"
    moved = other_csm_client.post(f"/accounts/{termed.pk}/touchpoints/{tp.pk}/reschedule/", {
        "due_date": (TODAY + D(days=20)).isoformat(), "window_days": 3})
    assert moved.status_code == 302
    tp.refresh_from_db()
    assert tp.due_date == TODAY + D(days=20) and tp.window_days == 3
    empty = other_csm_client.post(f"/accounts/{termed.pk}/touchpoints/{tp.pk}/result/", {"result": ""})
    assert empty.status_code == 400 and "result" in empty.context["form"].errors
    kept = other_csm_client.post(f"/accounts/{termed.pk}/touchpoints/{tp.pk}/result/", {"result": "Sponsor on board"})
    assert kept.status_code == 302
    tp.refresh_from_db()
    assert tp.status == "kept" and tp.result == "Sponsor on board"
    other = Touchpoint.objects.create(account=termed, name="Training", due_date=TODAY + D(days=4))
    cancel = other_csm_client.post(f"/accounts/{termed.pk}/touchpoints/{other.pk}/cancel/", HTTP_HX_REQUEST="true")
    assert cancel.status_code == 200 and "cancelled" in cancel.content.decode()
    other.refresh_from_db()
    assert other.status == "cancelled"


def test_a_touchpoint_of_another_account_is_not_found(csm_client, termed):
    elsewhere = Touchpoint.objects.create(account=AccountFactory(), name="Not yours", due_date=TODAY)
    assert csm_client.post(f"/accounts/{termed.pk}/touchpoints/{elsewhere.pk}/cancel/").status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "planned"


def test_viewers_cannot_act_on_accounts(viewer_client, termed, plan):
    tp = Touchpoint.objects.create(account=termed, name="Training", due_date=TODAY)
    need = NeedFactory(account=termed)
    assert viewer_client.post(f"/accounts/{termed.pk}/touchpoint-plan/apply/", {"plan": plan.pk}).status_code == 403
    assert viewer_client.post(f"/accounts/{termed.pk}/touchpoints/{tp.pk}/cancel/").status_code == 403
    assert viewer_client.post(f"/accounts/{termed.pk}/needs/{need.pk}/met/").status_code == 403
    assert viewer_client.get(f"/accounts/{termed.pk}/needs/new/").status_code == 403
    tp.refresh_from_db(); need.refresh_from_db()  # noqa: E702
    assert tp.status == "planned" and need.status == "open" and not Touchpoint.objects.filter(plan=plan).exists()


def test_a_csm_opens_a_need_and_marks_it_met(csm_client, account):
    area = NeedAreaFactory(name="Admin")
    response = csm_client.post(f"/accounts/{account.pk}/needs/new/", {"area": area.pk, "note": "New admin"})
    assert response.status_code == 302
    need = Need.objects.get(account=account)
    twice = csm_client.post(f"/accounts/{account.pk}/needs/new/", {"area": area.pk})
    assert twice.status_code == 400 and "area" in twice.context["form"].errors
    met = csm_client.post(f"/accounts/{account.pk}/needs/{need.pk}/met/", HTTP_HX_REQUEST="true")
    assert met.status_code == 200 and "met" in met.content.decode()
    need.refresh_from_db()
    assert need.status == "met"


# Resources --------------------------------------------------------------------------------------


def test_resources_grouped_by_kind_and_gaps_highlighted(csm_client):
    area = NeedAreaFactory(name="Integrations")
    NeedAreaFactory(name="Billing")
    ResourceFactory(title="API course", kind="training", areas=[area], stages=["onboarding"])
    ResourceFactory(title="Old guide", kind="article", areas=[area], active=False)
    page = csm_client.get("/resources/")
    assert [label for label, _ in page.context["groups"]] == ["Training course"]
    assert "New resource" not in page.content.decode() and "Onboarding" in page.content.decode()
    gaps = csm_client.get("/resources/gaps/").content.decode()
    assert 'class="num gap"' in gaps and "Integrations" in gaps and "Billing" in gaps


@pytest.mark.parametrize("persona", ["csm_client", "viewer_client"])
def test_only_leaders_keep_the_catalogue(persona, request):
    client = request.getfixturevalue(persona)
    area = NeedAreaFactory()
    resource = ResourceFactory(areas=[area])
    assert client.post("/resources/new/", {"title": "X", "kind": "article", "areas": [area.pk]}).status_code == 403
    assert client.post(f"/resources/{resource.pk}/deactivate/").status_code == 403
    assert client.post("/resources/areas/new/", {"name": "Y"}).status_code == 403
    resource.refresh_from_db()
    assert resource.active and Resource.objects.count() == 1 and NeedArea.objects.count() == 1


def test_a_leader_adds_areas_and_resources(leader_client):
    assert leader_client.post("/resources/areas/new/", {"name": "Data exports"}).status_code == 302
    area = NeedArea.objects.get(key="data-exports")
    bad = leader_client.post("/resources/new/", {"title": "Export guide", "kind": "article", "url": "not a url"})
    assert bad.status_code == 400 and {"areas", "url"} <= set(bad.context["form"].errors)
    good = leader_client.post("/resources/new/", {"title": "Export guide", "kind": "article", "areas": [area.pk],
                                                 "stages": ["adoption"], "active": "on"})
    assert good.status_code == 302
    resource = Resource.objects.get(title="Export guide")
    assert resource.stages == ["adoption"] and list(resource.areas.all()) == [area]
    assert leader_client.post(f"/resources/{resource.pk}/deactivate/").status_code == 302
    resource.refresh_from_db()
    assert not resource.active


# The book ---------------------------------------------------------------------------------------


def _book_account(csm, behind: int):
    account = AccountFactory(owner=csm)
    SubscriptionFactory(account=account, start_date=START, end_date=START + D(days=365))
    for n in range(behind):
        Touchpoint.objects.create(account=account, name=f"Missed {n}", due_date=START + D(days=5 + n), status="missed")
        Touchpoint.objects.create(account=account, name=f"Late {n}", due_date=TODAY - D(days=1), window_days=7)
    Touchpoint.objects.create(account=account, name="Last term", due_date=START - D(days=30), status="missed")
    return account


def test_the_book_shows_who_is_behind(csm_client, csm):
    behind = _book_account(csm, 2)
    on_track = _book_account(csm, 0)
    response = csm_client.get("/book/")
    rows = {a.pk: a for a in response.context["page"]}
    assert (rows[behind.pk].touchpoints_missed, rows[behind.pk].touchpoints_overdue) == (2, 2)
    assert (rows[on_track.pk].touchpoints_missed, rows[on_track.pk].touchpoints_overdue) == (0, 0)
    page = response.content.decode()
    assert "4 behind" in page and "On track" in page  # last term's miss does not count


def test_the_book_column_costs_the_same_queries_for_more_accounts(csm_client, csm):
    _book_account(csm, 1)
    with CaptureQueriesContext(connection) as few:
        assert csm_client.get("/book/").status_code == 200
    for _ in range(5):
        _book_account(csm, 2)
    with CaptureQueriesContext(connection) as many:
        assert csm_client.get("/book/").status_code == 200
    assert len(many) == len(few)


def test_the_account_panels_cost_the_same_queries_for_more_touchpoints_and_needs(csm_client, termed):
    Touchpoint.objects.create(account=termed, name="First", due_date=TODAY)
    NeedFactory(account=termed)
    ResourceFactory(areas=[NeedAreaFactory()])
    with CaptureQueriesContext(connection) as few:
        assert csm_client.get(f"/accounts/{termed.pk}/").status_code == 200
    for n in range(6):
        Touchpoint.objects.create(account=termed, name=f"More {n}", due_date=TODAY + D(days=n), status="kept")
        area = NeedAreaFactory()
        NeedFactory(account=termed, area=area)
        ResourceFactory(areas=[area])
        PlanFactory()
    with CaptureQueriesContext(connection) as many:
        assert csm_client.get(f"/accounts/{termed.pk}/").status_code == 200
    assert len(many) == len(few)
