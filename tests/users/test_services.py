"""The rules users.services keeps whatever door a change comes through."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from paceline.core.models import AuditEntry
from paceline.core.services import Actor
from paceline.users.models import ApiToken, Role
from paceline.users.services import (
    token_authenticate,
    token_create,
    token_revoke,
    user_create,
    user_password_set,
    user_update,
)
from tests.factories import UserFactory


def test_a_leader_is_created_staff_and_a_csm_is_not(leader):
    actor = Actor(user=leader, via="web")
    boss = user_create(
        actor=actor, username="boss", role=Role.LEADER, password="a long enough secret 1"
    )
    worker = user_create(actor=actor, username="worker", role=Role.CSM)
    assert boss.is_staff and boss.check_password("a long enough secret 1")
    assert not worker.is_staff and not worker.has_usable_password()


def test_is_staff_follows_the_role(leader, csm):
    actor = Actor(user=leader, via="web")
    user_update(actor=actor, user=csm, role=Role.LEADER)
    csm.refresh_from_db()
    assert csm.is_staff
    user_update(actor=actor, user=csm, role=Role.VIEWER)
    csm.refresh_from_db()
    assert not csm.is_staff


def test_the_last_active_leader_cannot_be_demoted(leader):
    with pytest.raises(ValidationError) as err:
        user_update(actor=Actor(user=leader, via="web"), user=leader, role=Role.CSM)
    assert "last active CS leader" in " ".join(err.value.message_dict["role"])
    leader.refresh_from_db()
    assert leader.role == Role.LEADER and leader.is_staff


def test_a_leader_may_step_down_when_another_remains(leader):
    UserFactory(username="second", role=Role.LEADER, is_staff=True)
    user_update(actor=Actor(user=leader, via="web"), user=leader, role=Role.CSM)
    leader.refresh_from_db()
    assert leader.role == Role.CSM and not leader.is_staff


def test_a_deactivated_leader_does_not_count_as_the_remaining_one(leader):
    UserFactory(username="gone", role=Role.LEADER, is_staff=True, is_active=False)
    with pytest.raises(ValidationError):
        user_update(actor=Actor(user=None, via="cli"), user=leader, is_active=False)
    leader.refresh_from_db()
    assert leader.is_active


def test_nobody_deactivates_themself_even_with_other_leaders(leader):
    UserFactory(username="second", role=Role.LEADER, is_staff=True)
    with pytest.raises(ValidationError) as err:
        user_update(actor=Actor(user=leader, via="web"), user=leader, is_active=False)
    assert "is_active" in err.value.message_dict
    leader.refresh_from_db()
    assert leader.is_active


def test_a_refused_update_leaves_the_callers_object_unchanged(leader, csm):
    with pytest.raises(ValidationError):
        user_update(actor=Actor(user=csm, via="web"), user=csm, email="not an email")
    assert csm.email == "carl@vendor.test"


def test_a_profile_update_is_audited_with_before_and_after(csm):
    user_update(actor=Actor(user=csm, via="web"), user=csm, title="Senior CSM")
    entry = AuditEntry.objects.get(target_type="users.user", target_id=str(csm.pk))
    assert entry.before == {"title": ""} and entry.after == {"title": "Senior CSM"}


def test_a_password_change_is_audited_without_the_password(csm):
    user_password_set(actor=Actor(user=csm, via="web"), user=csm, password="brand new passphrase 7")
    csm.refresh_from_db()
    assert csm.check_password("brand new passphrase 7")
    entry = AuditEntry.objects.get(target_type="users.user", target_id=str(csm.pk))
    assert entry.after == {"password": "(changed)"}
    assert "brand new passphrase 7" not in json.dumps(
        [entry.before, entry.after, entry.target_repr]
    )
    assert csm.password not in json.dumps([entry.before, entry.after])


def test_a_token_is_stored_hashed_and_its_raw_value_is_nowhere_in_the_database(csm):
    token, raw = token_create(actor=Actor(user=csm, via="web"), user=csm, name="CRM sync")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(raw not in str(value) for value in stored.values())
    assert raw.startswith(token.prefix)
    audit = list(AuditEntry.objects.values("before", "after", "target_repr"))
    assert audit and raw not in json.dumps(audit, default=str)


def test_a_token_authenticates_until_it_is_revoked(csm):
    token, raw = token_create(actor=Actor(user=csm, via="web"), user=csm, name="CRM sync")
    assert token_authenticate(raw) == csm
    token.refresh_from_db()
    assert token.last_used_at is not None
    token_revoke(actor=Actor(user=csm, via="web"), token=token)
    assert token_authenticate(raw) is None


def test_a_token_of_a_deactivated_user_stops_working(leader, csm):
    _, raw = token_create(actor=Actor(user=csm, via="web"), user=csm, name="CRM sync")
    user_update(actor=Actor(user=leader, via="web"), user=csm, is_active=False)
    assert token_authenticate(raw) is None
