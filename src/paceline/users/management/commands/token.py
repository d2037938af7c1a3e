"""``paceline token create|list|revoke``: API tokens from the command line.

``create`` prints the raw token alone on standard output (so ``TOKEN=$(paceline token create ...)``
works) and its explanation on standard error. The raw value is never stored and never shown again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paceline.core.services import Actor
from paceline.users import selectors
from paceline.users.models import ApiToken
from paceline.users.services import token_create, token_revoke

CLI = Actor(user=None, via="cli")


class Command(BaseCommand):
    help = "Create, list and revoke per-user API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{create,list,revoke}"
        )

        create = actions.add_parser("create", help="create a token and print it once")
        create.add_argument("--user", required=True, help="username of the token's owner")
        create.add_argument("--name", required=True, help="what the token is for, e.g. 'CRM sync'")

        listing = actions.add_parser("list", help="list a user's tokens (never their values)")
        listing.add_argument("--user", required=True, help="username")

        revoke = actions.add_parser("revoke", help="revoke a token by id or by prefix")
        which = revoke.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--id", type=int, dest="token_id", help="the token's id (see 'token list')"
        )
        which.add_argument("--prefix", help="the token's prefix, e.g. pl_AbC123x")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["user"], options["name"])
        elif action == "list":
            self._list(options["user"])
        else:
            self._revoke(options.get("token_id"), options.get("prefix"))

    def _user(self, username: str):
        user = selectors.user_by_username(username=username)
        if user is None:
            raise CommandError(f"--user: no user named {username!r}")
        return user

    def _create(self, username: str, name: str) -> None:
        user = self._user(username)
        if not user.is_active:
            raise CommandError(f"--user: {username} is deactivated; their tokens would not work")
        try:
            token, raw = token_create(actor=CLI, user=user, name=name)
        except ValueError as exc:
            raise CommandError(f"--{exc}") from None
        self.stderr.write(
            f"Created token {token.name!r} (id {token.pk}, prefix {token.prefix}) for {user.username}. "
            "Copy it now, it will not be shown again:"
        )
        self.stdout.write(raw)

    def _list(self, username: str) -> None:
        tokens = list(selectors.user_tokens(user=self._user(username)))
        if not tokens:
            self.stdout.write(f"{username} has no API tokens.")
            return
        self.stdout.write(
            f"{'ID':>6}  {'PREFIX':<12}  {'CREATED':<16}  {'LAST USED':<16}  {'STATUS':<18}  NAME"
        )
        for token in tokens:
            self.stdout.write(
                f"{token.pk:>6}  {token.prefix:<12}  {_when(token.created_at):<16}  "
                f"{_when(token.last_used_at) or 'never':<16}  {_status(token):<18}  {token.name}"
            )

    def _revoke(self, token_id: int | None, prefix: str | None) -> None:
        if token_id is not None:
            token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
            if token is None:
                raise CommandError(f"--id: no token with id {token_id}")
        else:
            prefix = (prefix or "").strip()
            if len(prefix) < 4:
                raise CommandError("--prefix: give at least the first 4 characters of the token")
            matches = selectors.tokens_by_prefix(prefix=prefix)
            if not matches:
                raise CommandError(f"--prefix: no token starts with {prefix!r}")
            if len(matches) > 1:
                ids = ", ".join(str(t.pk) for t in matches)
                raise CommandError(
                    f"--prefix: {prefix!r} matches {len(matches)} tokens (ids {ids}); use --id"
                )
            token = matches[0]
        if token.revoked_at is not None:
            self.stdout.write(
                f"Token {token.pk} ({token.prefix}) of {token.user.username} was already revoked."
            )
            return
        token_revoke(actor=CLI, token=token)
        self.stdout.write(
            f"Revoked token {token.pk} ({token.prefix}, {token.name!r}) of {token.user.username}."
        )


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _status(token: ApiToken) -> str:
    return f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
