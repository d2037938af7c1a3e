"""``paceline worker``: run background tasks from the database queue (django-tasks-db's worker).

It stops cleanly on SIGTERM or Ctrl-C: between tasks at once, otherwise after the running task.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

from paceline.ops.management.commands.serve import refuse_unmigrated


class Command(BaseCommand):
    help = "Run the background worker (tasks queued in the database)."

    def add_arguments(self, parser):
        parser.add_argument("--queue", default="default", help="Queues to work, comma-separated, or '*' (default: default).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle (default 1).")
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks.")
        parser.add_argument("--migrate", action="store_true", help="Apply pending migrations before starting.")

    def handle(self, *args, **options):
        backend = task_backends["default"]
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                f"The task backend is {type(backend).__module__}.{type(backend).__name__}; the worker needs "
                "django_tasks_db.DatabaseBackend (unset PACELINE_TASKS_BACKEND)."
            )
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        else:
            refuse_unmigrated("worker")
        worker_options = {
            "queue_name": options["queue"],
            "interval": options["interval"],
            "batch": options["batch"],
            "reload": False,
            "startup_delay": False,
            "verbosity": options["verbosity"],
        }
        if options["max_tasks"] is not None:
            worker_options["max_tasks"] = options["max_tasks"]
        self.stdout.write(f"Worker started on queue(s) {options['queue']}. Stop it with Ctrl-C or SIGTERM.")
        call_command("db_worker", **worker_options)
