"""Scores stored once a day with events only when they are news; models versioned; manual reads audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.core.services import Actor
from paceline.health import selectors, services, spec
from paceline.health.models import HealthModel, HealthScore, ManualAssessment, ModelVersion
from tests.factories import AccountFactory
from tests.health.conftest import AS_OF, day

pytestmark = pytest.mark.django_db


def changed_events():
    return list(ActivityEvent.objects.filter(kind="health.score_changed").order_by("id"))


def test_scores_are_stored_once_a_day_with_their_explanation(rich_account):
    first = services.scores_compute(on=AS_OF)
    again = services.scores_compute(on=AS_OF)
    row = HealthScore.objects.get(account=rich_account)
    assert (first["created"], again["created"], again["updated"]) == (1, 0, 1)
    assert row.version == selectors.default_version() and row.version.model.name == "Standard"
    assert row.renewal == pytest.approx(services.score_as_of([rich_account.pk], as_of=AS_OF)[rich_account.pk].renewal)
    assert row.detail["factors"]["relationship"]["measures"][2]["note"] == "champion Jane Roe"
    assert changed_events() == []  # a first score is no news; the same score again neither


def test_an_event_when_the_band_changes_or_the_score_moves_five_points(rich_account):
    services.scores_compute(on=day(-3))
    before = HealthScore.objects.get(account=rich_account)
    ManualAssessment.objects.create(account=rich_account, score=0, reason="Budget frozen", assessed_on=day(-1))
    rich_account.contacts.filter(name="Jane Roe").update(status="left", left_on=day(-1))
    services.scores_compute(on=AS_OF)
    after = HealthScore.objects.get(account=rich_account, on=AS_OF)
    (event,) = changed_events()
    assert before.renewal - after.renewal >= services.BIG_MOVE
    assert event.account_id == rich_account.pk and event.subject_id == str(after.pk)
    assert event.payload == {"model": "renewal", "score_from": before.renewal, "score_to": after.renewal,
                             "band_from": before.band, "band_to": after.band}
    services.scores_compute(on=AS_OF)  # nothing new since: no second event
    assert len(changed_events()) == 1


def test_a_small_move_within_the_band_is_not_news(rich_account):
    services.scores_compute(on=day(-3))
    services.scores_compute(on=day(-2))  # a day later: days since contact tick up a little
    first, second = HealthScore.objects.order_by("on")
    assert first.band == second.band and abs(first.renewal - second.renewal) < services.BIG_MOVE
    assert changed_events() == []


def test_churned_accounts_are_left_out_of_the_daily_run(db):
    AccountFactory(lifecycle_stage="churned")
    kept = AccountFactory()
    assert services.scores_compute(on=AS_OF)["scored"] == 1
    assert list(HealthScore.objects.values_list("account_id", flat=True)) == [kept.pk]


def test_the_most_specific_active_model_scores_an_account(leader):
    actor = Actor(user=leader)
    smb = AccountFactory(segment="smb", lifecycle_stage="renewal")
    mid = AccountFactory(segment="mid_market")
    services.model_create(actor=actor, name="SMB", segment="smb")
    services.model_create(actor=actor, name="SMB renewals", segment="smb", lifecycle_stage="renewal")
    old = services.model_create(actor=actor, name="Old", segment="mid_market")
    HealthModel.objects.filter(pk=old.pk).update(active=False)
    chosen = selectors.version_for([smb, mid.pk])
    assert chosen[smb.pk].model.name == "SMB renewals"
    assert chosen[mid.pk].model.name == "Standard"


def test_saving_a_changed_model_writes_a_new_version_and_keeps_the_old(leader, rich_account):
    actor = Actor(user=leader)
    model = services.model_create(actor=actor, name="Mid", segment="mid_market")
    services.scores_compute(on=AS_OF)
    definition = spec.default()
    definition["gate"] = 80
    v2 = services.model_save(actor=actor, model=model, definition=definition, note="Stricter gate")
    assert (v2.number, v2.note, v2.created_by) == (2, "Stricter gate", leader)
    assert services.model_save(actor=actor, model=model, definition=definition) == v2  # unchanged: no v3
    assert HealthScore.objects.get(account=rich_account).version.number == 1
    assert ModelVersion.objects.get(model=model, number=1).definition["gate"] == 60
    audit = AuditEntry.objects.filter(target_type="health.modelversion").order_by("id").last()
    assert (audit.actor, audit.after["number"], audit.before["number"]) == (leader, 2, 1)


def test_a_bad_definition_is_refused_naming_the_place_and_nothing_is_written(leader):
    actor = Actor(user=leader)
    models_before = HealthModel.objects.count()  # the Standard model exists from installation
    model = services.model_create(actor=actor, name="Mid")
    definition = spec.default()
    definition["equations"]["renewal"]["requires"] = ["need"]
    with pytest.raises(ValidationError) as error:
        services.model_save(actor=actor, model=model, definition=definition)
    assert "equations.renewal.requires[0]" in error.value.message_dict
    assert model.versions.count() == 1
    with pytest.raises(ValidationError) as error:
        services.model_create(actor=actor, name="mid", segment="galactic")
    assert set(error.value.message_dict) == {"name", "segment"}
    assert HealthModel.objects.count() == models_before + 1


def test_a_manual_assessment_is_audited_and_becomes_a_fact(csm, account):
    actor = Actor(user=csm)
    assessment = services.assessment_add(actor=actor, account=account, score=35, reason="Sponsor went quiet")
    assert assessment.assessed_on == timezone.localdate() and assessment.author == csm
    entry = AuditEntry.objects.get(target_type="health.manualassessment")
    assert (entry.actor, entry.account_id, entry.after["score"]) == (csm, account.pk, 35)
    score = services.score_as_of([account.pk], as_of=timezone.localdate())[account.pk]
    assert any(t.key == "manual" and t.score == 35 for t in score.equations["renewal"].terms)


@pytest.mark.parametrize("kwargs, field", [
    ({"score": 101}, "score"), ({"score": True}, "score"), ({"reason": "  "}, "reason"),
    ({"on": timezone.localdate() + dt.timedelta(days=1)}, "on"),
])
def test_a_bad_manual_assessment_is_refused_naming_the_field(csm, account, kwargs, field):
    given = {"score": 50, "reason": "Fine", **kwargs}
    with pytest.raises(ValidationError) as error:
        services.assessment_add(actor=Actor(user=csm), account=account, **given)
    assert set(error.value.message_dict) == {field}
    assert not ManualAssessment.objects.exists()


def test_default_version_is_created_once(db):
    assert selectors.default_version() == selectors.default_version()
    assert ModelVersion.objects.count() == 1
