"""``paceline demo``: create the embedded database, load the demo company, serve it with a worker."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paceline.core.progress import TaskBar, iso_date
from paceline.customers.models import Account
from paceline.ops.demo import DEFAULT_ACCOUNTS, DEFAULT_SEED, DemoConfig, load_demo, loaded_demo
from paceline.ops.demo.world import GENERATOR_VERSION
from paceline.ops.logins import demo_password, login_path, printed_logins, set_demo_password
from paceline.ops.runtime import (
    Supervisor,
    child_environment,
    paceline_command,
    unapplied_migrations,
)

FILE_MAIL = "django.core.mail.backends.filebased.EmailBackend"


class Command(BaseCommand):
    help = "Create the database, load the demo company, and run the web app and the worker."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Load the demo and exit.")
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--reset", action="store_true", help="Wipe the database and load the demo again.")
        parser.add_argument("--yes", action="store_true", help="Do not ask before --reset wipes the database.")
        parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS, help="Size of the book (default 500).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Seed of the generator.")
        parser.add_argument("--anchor", type=iso_date, default=None,
                            help="The demo's 'today' (YYYY-MM-DD); default: the day it is loaded.")

    def handle(self, *args, **options):
        if options["accounts"] < 1:
            raise CommandError("--accounts must be at least 1")
        self.console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self._migrate()
        if options["reset"]:
            self._reset(options["yes"])
        loaded = self._load(options)
        password, created = demo_password(settings.DATA_DIR)
        if loaded or created:
            set_demo_password(password)
        if options["no_serve"]:
            self._print_logins(password, url=None)
            return
        self._serve(options["host"], options["port"], password)

    def _migrate(self) -> None:
        pending = unapplied_migrations()
        if pending:
            self.console.print(f"Creating the database ({len(pending)} migrations)…")
            call_command("migrate", interactive=False, verbosity=0)

    def _reset(self, yes: bool) -> None:
        name = connection.settings_dict["NAME"]
        if not yes:
            answer = input(f"--reset deletes ALL data in the database {name}. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Reset cancelled; nothing was changed.")
        call_command("flush", interactive=False, verbosity=0)
        self.console.print(f"Wiped the database {name}.")

    def _load(self, options) -> bool:
        marker = loaded_demo()
        if marker is not None:
            self.console.print(
                f"The demo company is already loaded ({marker['accounts']} accounts as of {marker['anchor']}, "
                f"seed {marker['seed']}). Use --reset to load it again."
            )
            if marker.get("generator_version") != GENERATOR_VERSION:
                self.console.print("It was made by another version of the generator; --reset makes it anew.")
            return False
        existing = Account.objects.count()
        if existing:
            raise CommandError(
                f"This database already holds {existing} accounts that are not the demo's. Point "
                "PACELINE_DATA_DIR (or DATABASE_URL) at an empty one, or use --reset to wipe it."
            )
        config = DemoConfig(seed=options["seed"], accounts=options["accounts"], anchor=options["anchor"])
        self.console.print(f"Loading the demo company ({config.accounts} accounts, seed {config.seed})…")
        columns = (TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.console) as progress:
            report = load_demo(config, progress_for=lambda step: TaskBar(progress, step.label))
        rows = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in report.counts.items())
        self.console.print(f"Loaded in {report.total_seconds:.1f} s as of {report.anchor}: {rows}.")
        return True

    def _print_logins(self, password: str, url: str | None) -> None:
        if url:
            self.console.print(f"\n[bold]Paceline is running at {url}[/bold]")
        self.console.print("Log in as:")
        for username, role, title in printed_logins():
            self.console.print(f"  {username:<8} {role} ({title})")
        self.console.print(f"Password for every demo user: [bold]{password}[/bold]")
        self.console.print(f"(kept, readable only by you, in {login_path(settings.DATA_DIR)})")

    def _serve(self, host: str, port: int, password: str) -> None:
        self.console.print("Collecting static files…")
        call_command("collectstatic", interactive=False, verbosity=0)
        connection.close()
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 (display only)
        url = f"http://{shown}:{port}/" if ":" not in shown else f"http://[{shown}]:{port}/"
        env = child_environment()
        # The demo's rules notify its team by e-mail: written to files unless a real backend is set.
        env.setdefault("PACELINE_EMAIL_BACKEND", FILE_MAIL)
        supervisor = Supervisor(
            {
                "web": paceline_command("serve", "--host", host, "--port", str(port), "--no-collectstatic"),
                "worker": paceline_command("worker"),
            },
            env=env,
        )

        def started() -> None:
            self._print_logins(password, url)
            if env["PACELINE_EMAIL_BACKEND"] == FILE_MAIL:
                self.console.print(f"E-mail the worker sends is written to files in {settings.EMAIL_FILE_PATH}.")
            self.console.print("Press Ctrl-C to stop.")

        code = supervisor.run(on_started=started)
        if code:
            raise CommandError(f"Paceline stopped: a child process exited with status {code}.")
        self.console.print("Stopped.")
