"""``paceline createuser USERNAME --role leader|csm|viewer``: add a person who can log in.

The password comes from standard input (``--password-stdin``, for scripts) or from a prompt. It is
checked against the password rules and never echoed, logged or stored other than hashed.
"""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paceline.core.services import Actor
from paceline.users.models import Role, User
from paceline.users.services import user_create


class Command(BaseCommand):
    help = "Create a Paceline user with a role (leader, csm or viewer)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        # Checked in handle rather than by argparse choices, so the error reads like every other
        # refusal here ("--role: ...") and comes before any password prompt.
        parser.add_argument("--role", required=True, help=f"one of {', '.join(Role.values)}")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--title", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    def execute(self, *args, **options):
        self.stdin = options.get("stdin", sys.stdin)
        return super().execute(*args, **options)

    def handle(self, *args, **options) -> None:
        username = options["username"]
        role = options["role"]
        if role not in Role.values:
            raise CommandError(
                f"--role: {role!r} is not a role; use one of {', '.join(Role.values)}"
            )
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"username: a user named {username!r} already exists")
        password = self._password(options["password_stdin"])
        probe = User(
            username=username,
            email=options["email"],
            first_name=options["first_name"],
            last_name=options["last_name"],
        )
        try:
            password_validation.validate_password(password, probe)
        except ValidationError as exc:
            raise CommandError("password: " + " ".join(exc.messages)) from None
        try:
            user = user_create(
                actor=Actor(user=None, via="cli"),
                username=username,
                email=options["email"],
                password=password,
                role=role,
                first_name=options["first_name"],
                last_name=options["last_name"],
                title=options["title"],
            )
        except ValidationError as exc:
            details = "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
            )
            raise CommandError(details) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Created {user.username} ({user.get_role_display()}).")

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = self.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("password: standard input gave an empty password")
            return password
        if not self.stdin.isatty():
            raise CommandError(
                "password: no terminal to prompt on; pass --password-stdin and pipe it in"
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("password: the two passwords differ")
        if not password:
            raise CommandError("password: it cannot be empty")
        return password
