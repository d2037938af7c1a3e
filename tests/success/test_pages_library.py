"""The template library: everyone reads and previews it; CS leaders create, edit and retire
templates, with errors in the structure named by their place (goals[1].metrics[0].target)."""

from __future__ import annotations

import json

import pytest

from paceline.core.models import AuditEntry
from paceline.success.models import PlanTemplate

ONE_GOAL = [{"title": "Renewal ready", "days": 60,
             "metrics": [{"name": "Sponsor meetings", "unit": "count", "baseline": 0, "target": 3, "days": 60,
                          "checkpoints": [{"days": 30, "target": 1, "label": "First month"}]}],
             "actions": [{"title": "Book the QBR", "side": "vendor", "days": 14}]}]


@pytest.fixture
def onboarding(db):
    return PlanTemplate.objects.get(name="Onboarding to first value")


@pytest.mark.parametrize("persona", ["viewer_client", "csm_client", "leader_client"])
def test_everyone_reads_the_library_and_previews_a_template(request, persona, onboarding):
    client = request.getfixturevalue(persona)
    listing = client.get("/success/templates/").content.decode()
    assert "Onboarding to first value" in listing and "Procurement process rollout" in listing
    preview = client.get(f"/success/templates/{onboarding.pk}/").content.decode()
    assert "Reach first value" in preview and "Integrations live" in preview
    assert "Users who completed onboarding" in preview and "0% → 80% by day 90" in preview
    assert "30% at day 30 (First month)" in preview
    assert ("New template" in listing) == (persona == "leader_client")


def test_a_leader_creates_a_template_that_a_csm_can_then_use(leader_client, csm_client, account):
    response = leader_client.post("/success/templates/new/", {
        "name": "Renewal readiness", "use_case": "90 days before renewal", "description": "",
        "structure": json.dumps(ONE_GOAL)})
    template = PlanTemplate.objects.get(name="Renewal readiness")
    assert response["Location"] == f"/success/templates/{template.pk}/"
    assert template.structure[0]["title"] == "Renewal ready" and template.created_by.username == "lena"
    assert AuditEntry.objects.filter(target_type="success.plantemplate", target_id=str(template.pk)).exists()
    assert "Renewal readiness" in csm_client.get(f"/accounts/{account.pk}/plans/new/").content.decode()


@pytest.mark.parametrize(("structure", "says"), [
    ([{**ONE_GOAL[0], "metrics": [{**ONE_GOAL[0]["metrics"][0], "target": -1}]}],
     "goals[0].metrics[0]: Value error, higher is better, so the target must not be below the baseline"),
    ([ONE_GOAL[0], {"title": "No date"}], "goals[1].days: Field required"),
    ([{**ONE_GOAL[0], "actions": [{"title": "Who?", "side": "partner", "days": 3}]}], "goals[0].actions[0].side"),
    ([], "A template is a non-empty list of goals."),
])
def test_a_structure_error_names_its_place_next_to_the_field(leader_client, structure, says):
    response = leader_client.post("/success/templates/new/", {"name": "Broken", "structure": json.dumps(structure)})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["structure"])
    assert says in errors
    assert says.split(":")[0] in response.content.decode()
    assert not PlanTemplate.objects.filter(name="Broken").exists()


def test_a_structure_that_is_not_json_names_the_line(leader_client):
    response = leader_client.post("/success/templates/new/", {"name": "Broken", "structure": '[\n  {"title": "x",}\n]'})
    assert response.status_code == 400
    assert "at line 2" in response.context["form"].errors["structure"][0]
    assert not PlanTemplate.objects.filter(name="Broken").exists()


def test_a_template_name_is_unique(leader_client, onboarding):
    response = leader_client.post("/success/templates/new/", {"name": onboarding.name,
                                                             "structure": json.dumps(ONE_GOAL)})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    assert PlanTemplate.objects.filter(name=onboarding.name).count() == 1


def test_a_leader_edits_a_template_from_its_json(leader_client, onboarding):
    page = leader_client.get(f"/success/templates/{onboarding.pk}/edit/")
    assert json.loads(page.context["form"].initial["structure"]) == onboarding.structure
    response = leader_client.post(f"/success/templates/{onboarding.pk}/edit/", {
        "name": onboarding.name, "use_case": "New customers", "description": "Shorter.",
        "structure": json.dumps(ONE_GOAL)})
    assert response.status_code == 302
    onboarding.refresh_from_db()
    assert (onboarding.use_case, onboarding.structure[0]["title"]) == ("New customers", "Renewal ready")


def test_a_retired_template_stays_readable_but_is_no_longer_offered(leader_client, csm_client, onboarding, account):
    response = leader_client.post(f"/success/templates/{onboarding.pk}/deactivate/")
    assert response["Location"] == f"/success/templates/{onboarding.pk}/"
    onboarding.refresh_from_db()
    assert not onboarding.is_active
    assert "Retired" in csm_client.get(f"/success/templates/{onboarding.pk}/").content.decode()
    assert "Onboarding to first value" not in csm_client.get(f"/accounts/{account.pk}/plans/new/").content.decode()
