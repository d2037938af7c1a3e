"""Who may call the voice-of-the-customer API: anonymous callers are refused, viewers only read,
CSMs of any book and CS leaders write (the readiness questionnaire: leaders only, tested with
the builder)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.core.services import Actor
from paceline.surveys import services
from paceline.surveys.models import (
    Campaign,
    Question,
    QuestionKind,
    ReadinessAssessment,
    RelationshipMilestone,
    Response,
    Survey,
)
from tests.factories import ContactFactory


@pytest.fixture
def world(csm, account):
    actor = Actor(user=csm, via="web")
    contact = ContactFactory(account=account, email="ann@acme.test")
    survey = Survey.objects.create(name="Onboarding check", kind="custom")
    question = Question.objects.create(survey=survey, position=1, key="pace", kind=QuestionKind.SCALE,
                                       prompt="Pace?", scale_min=1, scale_max=4)
    spare = Question.objects.create(survey=survey, position=2, key="notes", kind=QuestionKind.TEXT, prompt="Notes?")
    campaign = services.campaign_create(actor=actor, survey=survey, audience={"account_ids": [account.pk]})
    response = services.response_record(actor=actor, survey=survey, account=account, contact=contact,
                                        answers={"pace": 3}, submitted_at=timezone.now(), source="api")
    readiness = Survey.objects.create(name="Readiness", kind="readiness")
    assessed = Response.objects.create(survey=readiness, account=account, source="api", submitted_at=timezone.now())
    assessment = ReadinessAssessment.objects.create(account=account, response=assessed, assessed_on=dt.date(2026, 1, 5),
                                                    score=50, level="emerging", recommendation="Start small.")
    milestone = RelationshipMilestone.objects.create(account=account, kind="reference",
                                                     occurred_on=dt.date(2026, 1, 5), credited_to=csm)
    return {"survey": survey.pk, "question": question.pk, "spare": spare.pk, "campaign": campaign.pk,
            "response": response.pk, "assessment": assessment.pk, "milestone": milestone.pk,
            "account": account.pk, "contact": contact.pk}


READS = [
    "/surveys", "/surveys/{survey}", "/surveys/{survey}/results", "/campaigns", "/campaigns/{campaign}",
    "/survey-responses", "/survey-responses/{response}", "/relationship-milestones",
    "/relationship-milestones/{milestone}", "/readiness-assessments", "/readiness-assessments/{assessment}",
]
NOW = "2026-01-10T09:00:00Z"
WRITES = [
    ("post", "/surveys", {"name": "New survey", "kind": "custom"}),
    ("patch", "/surveys/{survey}", {"intro": "Changed"}),
    ("patch", "/surveys/{survey}/questions/{question}", {"prompt": "Changed?"}),
    ("put", "/surveys/{survey}/questions/order", {"question_ids": ["{spare}", "{question}"]}),
    ("delete", "/surveys/{survey}/questions/{spare}", None),
    ("post", "/surveys/{survey}/questions", {"kind": "text", "prompt": "More?"}),
    ("post", "/campaigns", {"survey_id": "{survey}", "audience": {"account_ids": ["{account}"]}}),
    ("post", "/campaigns/{campaign}/preview", None),
    ("post", "/campaigns/{campaign}/send", None),
    ("post", "/survey-responses", {"survey_id": "{survey}", "contact_id": "{contact}", "answers": {"pace": 2},
                                   "submitted_at": NOW}),
    ("post", "/survey-responses/bulk", {"rows": [{"survey_id": "{survey}", "account_id": "{account}",
                                                  "answers": {"pace": 1}, "submitted_at": NOW}]}),
    ("post", "/relationship-milestones", {"account_id": "{account}", "kind": "review", "occurred_on": "2026-01-06"}),
    ("patch", "/relationship-milestones/{milestone}", {"note": "Changed"}),
    ("delete", "/relationship-milestones/{milestone}", None),
    ("post", "/surveys/{survey}/deactivate", None),
]


def _fill(value, ids: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _call(api, method: str, path: str, payload, ids: dict):
    url = path.format(**ids)
    if method == "delete":
        return api.delete(url)
    return getattr(api, method)(url, _fill(payload, ids) if payload is not None else None)


@pytest.mark.parametrize("path", READS)
def test_a_viewer_reads_everything(viewer_api, world, path):
    response = viewer_api.get(path.format(**world))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", READS)
def test_it_refuses_an_anonymous_reader(anon_api, world, path):
    response = anon_api.get(path.format(**world))
    assert response.status_code == 401
    assert "API token" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_it_refuses_an_anonymous_writer(anon_api, world, method, path, payload):
    before = AuditEntry.objects.count()
    assert _call(anon_api, method, path, payload, world).status_code == 401
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_it_refuses_every_write_of_a_viewer(viewer_api, world, method, path, payload):
    before = (AuditEntry.objects.count(), Response.objects.count(), Campaign.objects.count())
    response = _call(viewer_api, method, path, payload, world)
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert (AuditEntry.objects.count(), Response.objects.count(), Campaign.objects.count()) == before


@pytest.mark.parametrize("persona", ["csm", "other_csm", "leader"])
def test_csms_of_any_book_and_leaders_write(request, api_for, world, persona):
    user = request.getfixturevalue(persona)
    api = api_for(user)
    for method, path, payload in WRITES:
        response = _call(api, method, path, payload, world)
        assert response.status_code in (200, 201, 204), (path, response.content)
    assert Survey.objects.get(pk=world["survey"]).is_active is False  # the last write deactivated it
    assert Survey.objects.filter(name="New survey", created_by=user).exists()
    assert Response.objects.filter(survey_id=world["survey"], source="api").count() == 3
    assert not RelationshipMilestone.objects.filter(pk=world["milestone"]).exists()
    assert set(AuditEntry.objects.filter(via="api").values_list("actor", flat=True)) == {user.pk}
