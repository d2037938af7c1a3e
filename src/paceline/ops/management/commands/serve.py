"""``paceline serve``: the web app under gunicorn, static files served by WhiteNoise."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from paceline.ops.runtime import WebServer, gunicorn_options, unapplied_migrations
from paceline.settings import env_int


def refuse_unmigrated(command: str) -> None:
    pending = unapplied_migrations()
    if pending:
        shown = ", ".join(pending[:5]) + (f" and {len(pending) - 5} more" if len(pending) > 5 else "")
        raise CommandError(
            f"The database has {len(pending)} unapplied migration(s): {shown}. "
            f"Run `paceline migrate` first, or `paceline {command} --migrate`."
        )


class Command(BaseCommand):
    help = "Run the web app under gunicorn (a production server), with static files served."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--workers", type=int, default=None,
                            help="Worker processes (default: PACELINE_WEB_WORKERS, else 2).")
        parser.add_argument("--migrate", action="store_true", help="Apply pending migrations before starting.")
        parser.add_argument("--no-collectstatic", action="store_true",
                            help="Skip collecting static files (someone already did).")
        parser.add_argument("--access-log", action="store_true", help="Log every request to stdout.")

    def handle(self, *args, **options):
        workers = options["workers"] or env_int("PACELINE_WEB_WORKERS", 2, minimum=1)
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=max(0, options["verbosity"] - 1))
        else:
            refuse_unmigrated("serve")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        # Gunicorn forks its workers from this process: none of them may inherit a connection.
        connections.close_all()
        server = WebServer(
            gunicorn_options(host=options["host"], port=options["port"], workers=workers,
                             access_log=options["access_log"])
        )
        server.run()
