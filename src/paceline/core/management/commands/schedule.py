"""``paceline schedule``: the periodic jobs, when they last ran and when they run next; run one now.

    paceline schedule list
    paceline schedule run success.plans_evaluate
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks.exceptions import TaskResultDoesNotExist

from paceline.core import schedule


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "never"


def _outcome(state: schedule.JobState) -> str:
    """The last run's status as the task backend knows it, when it can say."""
    run = state.run
    if run is None or not run.last_task_id:
        return ""
    backend = state.job.task.get_backend()
    if not getattr(backend, "supports_get_result", False):
        return ""
    try:
        return backend.get_result(run.last_task_id).status.label.lower()
    except TaskResultDoesNotExist:
        return "result pruned"


class Command(BaseCommand):
    help = "List the periodic jobs with their last and next runs, or enqueue one now."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,run}")
        actions.add_parser("list", help="The jobs, their cadence, last run and next run.")
        run = actions.add_parser("run", help="Enqueue a job now (its schedule is untouched).")
        run.add_argument("name", help="The job's name, as `paceline schedule list` shows it.")

    def handle(self, *args, **options):
        if options["action"] == "run":
            try:
                enqueued = schedule.run_now(options["name"])
            except LookupError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Enqueued {enqueued.job.name} as task {enqueued.task_id}. A running worker will pick it up.")
            return
        states = schedule.states()
        if not states:
            self.stdout.write("No periodic jobs are registered.")
            return
        rows = [("JOB", "CADENCE", "LAST RUN", "NEXT RUN")]
        for state in states:
            run = state.run
            last = _when(run.last_enqueued_at if run else None)
            details = [d for d in (run.get_last_trigger_display().lower() if run and run.last_trigger else "",
                                   _outcome(state)) if d]
            if details:
                last += f" ({', '.join(details)})"
            upcoming = f"due now (since {_when(state.next_run)})" if state.due_now else _when(state.next_run)
            rows.append((state.job.name, str(state.job.cadence), last, upcoming))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip())
        self.stdout.write(f"Times in {timezone.get_current_timezone_name()}. `paceline worker` enqueues due jobs.")
