"""``paceline worker``: run background tasks from the database queue (django-tasks-db's worker),
and the scheduler of periodic jobs beside it (``paceline.core.schedule``) in a thread.

It stops cleanly on SIGTERM or Ctrl-C: between tasks at once, otherwise after the running task;
the scheduler stops with it. Any number of workers may run a scheduler: each run is enqueued once.
With ``--batch`` the scheduler ticks once, before the queue is worked, so a cron line running
``paceline worker --batch`` runs what is due and what is queued.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

from paceline.core import schedule
from paceline.ops.management.commands.serve import refuse_unmigrated


class Command(BaseCommand):
    help = "Run the background worker (tasks queued in the database) and the scheduler of periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument("--queue", default="default", help="Queues to work, comma-separated, or '*' (default: default).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle (default 1).")
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks.")
        parser.add_argument("--migrate", action="store_true", help="Apply pending migrations before starting.")
        parser.add_argument("--no-scheduler", action="store_true",
                            help="Run only the tasks; do not enqueue periodic jobs from this worker.")
        parser.add_argument("--schedule-interval", type=float, default=30.0,
                            help="Seconds between the scheduler's checks for due jobs (default 30).")

    def handle(self, *args, **options):
        if options["schedule_interval"] <= 0:
            raise CommandError("--schedule-interval must be above 0 seconds.")
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
        scheduling = "without the scheduler" if options["no_scheduler"] else f"with the scheduler ({len(schedule.jobs())} jobs)"
        self.stdout.write(f"Worker started on queue(s) {options['queue']}, {scheduling}. Stop it with Ctrl-C or SIGTERM.")
        scheduler, thread = None, None
        if not options["no_scheduler"]:
            if options["batch"]:
                schedule.tick()
            else:
                scheduler = schedule.Scheduler(interval=options["schedule_interval"])
                thread = scheduler.start_thread()
        try:
            call_command("db_worker", **worker_options)
        finally:
            # db_worker leaves by SystemExit on a signal when idle: stop the scheduler either way.
            if scheduler is not None:
                scheduler.stop.set()
                thread.join(timeout=30)
