"""``paceline token`` and ``paceline createuser``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from paceline.core.models import AuditEntry
from paceline.users.models import ApiToken, Role, User
from paceline.users.services import token_authenticate


def run(*args, stdin: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command(*args, stdout=out, stderr=err, **extra)
    return out.getvalue(), err.getvalue()


# paceline token


def test_token_create_prints_the_raw_token_alone_and_once(csm):
    out, err = run("token", "create", "--user", "carl", "--name", "CRM sync")
    raw = out.strip()
    assert token_authenticate(raw) == csm
    assert "it will not be shown again" in err and raw not in err
    token = ApiToken.objects.get(user=csm)
    assert token.name == "CRM sync" and raw not in json.dumps(
        list(ApiToken.objects.values()), default=str
    )
    entry = AuditEntry.objects.get(target_type="users.apitoken")
    assert entry.via == "cli" and raw not in json.dumps([entry.before, entry.after])


def test_token_create_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="--user: no user named 'nobody'"):
        run("token", "create", "--user", "nobody", "--name", "x")
    assert not ApiToken.objects.exists()


def test_token_create_refuses_a_deactivated_user(csm):
    csm.is_active = False
    csm.save()
    with pytest.raises(CommandError, match="deactivated"):
        run("token", "create", "--user", "carl", "--name", "x")
    assert not ApiToken.objects.exists()


def test_token_create_needs_a_name(csm):
    with pytest.raises(CommandError, match="name"):
        run("token", "create", "--user", "carl", "--name", "   ")
    assert not ApiToken.objects.exists()


def test_token_list_shows_tokens_but_never_their_values(csm, other_csm, api_token_for):
    raw = api_token_for(csm)
    api_token_for(other_csm)
    token = ApiToken.objects.get(user=csm)
    out, _ = run("token", "list", "--user", "carl")
    assert token.prefix in out and "tests" in out and "active" in out
    assert raw not in out
    assert ApiToken.objects.get(user=other_csm).prefix not in out


def test_token_list_says_when_there_are_none(csm):
    out, _ = run("token", "list", "--user", "carl")
    assert out.strip() == "carl has no API tokens."


def test_token_revoke_by_id_stops_the_token_and_shows_in_the_list(csm, api_token_for):
    raw = api_token_for(csm)
    token = ApiToken.objects.get(user=csm)
    out, _ = run("token", "revoke", "--id", str(token.pk))
    assert f"Revoked token {token.pk}" in out
    assert token_authenticate(raw) is None
    assert "revoked" in run("token", "list", "--user", "carl")[0]
    assert AuditEntry.objects.filter(
        target_type="users.apitoken", via="cli", action="update"
    ).exists()


def test_token_revoke_by_prefix(csm, api_token_for):
    raw = api_token_for(csm)
    token = ApiToken.objects.get(user=csm)
    run("token", "revoke", "--prefix", token.prefix)
    assert token_authenticate(raw) is None


def test_token_revoke_refuses_an_ambiguous_prefix(csm, api_token_for):
    raws = [api_token_for(csm), api_token_for(csm)]
    for n, token in enumerate(ApiToken.objects.order_by("id"), start=1):
        ApiToken.objects.filter(pk=token.pk).update(prefix=f"pl_AAAAA{n}")
    with pytest.raises(CommandError, match="'pl_AAAAA' matches 2 tokens"):
        run("token", "revoke", "--prefix", "pl_AAAAA")
    assert all(token_authenticate(raw) == csm for raw in raws)


def test_token_revoke_refuses_a_too_short_prefix(csm, api_token_for):
    raw = api_token_for(csm)
    with pytest.raises(CommandError, match="at least the first 4 characters"):
        run("token", "revoke", "--prefix", "pl_")
    assert token_authenticate(raw) == csm


def test_token_revoke_names_an_unknown_id(db):
    with pytest.raises(CommandError, match="--id: no token with id 424242"):
        run("token", "revoke", "--id", "424242")


def test_token_revoke_needs_an_id_or_a_prefix(db):
    with pytest.raises(CommandError, match="one of the arguments --id --prefix is required"):
        run("token", "revoke")


# paceline createuser


def test_createuser_makes_a_user_who_can_log_in(db, client):
    out, _ = run(
        "createuser",
        "nina",
        "--role",
        "leader",
        "--email",
        "nina@vendor.test",
        "--first-name",
        "Nina",
        "--password-stdin",
        stdin="an initial passphrase 4\n",
    )
    assert "Created nina (CS leader)." in out
    nina = User.objects.get(username="nina")
    assert (nina.role, nina.is_staff, nina.email, nina.first_name) == (
        Role.LEADER,
        True,
        "nina@vendor.test",
        "Nina",
    )
    assert client.login(username="nina", password="an initial passphrase 4")
    entry = AuditEntry.objects.get(target_type="users.user", target_id=str(nina.pk))
    assert entry.via == "cli" and "an initial passphrase 4" not in json.dumps(entry.after)


def test_createuser_makes_a_viewer_who_is_not_staff(db):
    run(
        "createuser",
        "vera",
        "--role",
        "viewer",
        "--password-stdin",
        stdin="an initial passphrase 4\n",
    )
    vera = User.objects.get(username="vera")
    assert vera.role == Role.VIEWER and not vera.is_staff


def test_createuser_refuses_a_bad_role_naming_it(db):
    with pytest.raises(CommandError) as err:
        run(
            "createuser",
            "nina",
            "--role",
            "admin",
            "--password-stdin",
            stdin="an initial passphrase 4\n",
        )
    assert "'admin'" in str(err.value) and "leader, csm, viewer" in str(err.value)
    assert not User.objects.filter(username="nina").exists()


def test_createuser_refuses_a_weak_password(db):
    with pytest.raises(CommandError, match="password: This password is too short"):
        run("createuser", "nina", "--role", "csm", "--password-stdin", stdin="short\n")
    assert not User.objects.filter(username="nina").exists()


def test_createuser_refuses_an_empty_password(db):
    with pytest.raises(CommandError, match="password: standard input gave an empty password"):
        run("createuser", "nina", "--role", "csm", "--password-stdin", stdin="\n")
    assert not User.objects.exists()


def test_createuser_refuses_a_taken_username(csm):
    with pytest.raises(CommandError, match="a user named 'Carl' already exists"):
        run(
            "createuser",
            "Carl",
            "--role",
            "csm",
            "--password-stdin",
            stdin="an initial passphrase 4\n",
        )
    assert User.objects.count() == 1


def test_createuser_names_a_bad_email(db):
    with pytest.raises(CommandError, match="email: Enter a valid email address."):
        run(
            "createuser",
            "nina",
            "--role",
            "csm",
            "--email",
            "nope",
            "--password-stdin",
            stdin="an initial passphrase 4\n",
        )
    assert not User.objects.exists()


def test_createuser_without_a_terminal_asks_for_password_stdin(db):
    with pytest.raises(CommandError, match="--password-stdin"):
        run("createuser", "nina", "--role", "csm", stdin="an initial passphrase 4\n")
    assert not User.objects.exists()
