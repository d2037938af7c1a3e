"""The import page's steps as services: start a run (upload and dry run), re-check it with another
mapping, apply it. The record writes themselves go through ``customers.services`` (see runner)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from paceline.core.services import Actor
from paceline.customers.importing.report import ImportReport
from paceline.customers.importing.runner import prepare_text, run_import
from paceline.customers.models import ImportRun, ImportRunStatus


def _actor(user) -> Actor:
    return Actor(user=user, via="import")


def import_run_start(*, user, kind: str, filename: str, text: str, date_order: str = "") -> ImportRun:
    """Keep the uploaded text for this user and dry-run it with the detected mapping.

    Raises ``FileProblem`` when the text is not a usable CSV file.
    """
    table, mapping = prepare_text(text, kind=kind)
    report = run_import(kind=kind, table=table, mapping=mapping, actor=_actor(user), apply=False,
                        date_order=date_order)
    return ImportRun.objects.create(
        user=user, kind=kind, filename=filename[:255], content=text, choices=mapping.choices(),
        date_order=date_order, report=report.to_dict(),
    )


def _require_open(run: ImportRun) -> None:
    if run.status == ImportRunStatus.APPLIED:
        raise ValidationError("This import was already applied; upload the file again to import it again.")


def import_run_recheck(*, run: ImportRun, choices: dict[str, str], date_order: str) -> ImportRun:
    """Dry-run again with the user's mapping. Raises ``MappingError`` for a mapping that cannot work."""
    _require_open(run)
    table, mapping = prepare_text(run.content, kind=run.kind, choices=choices)
    report = run_import(kind=run.kind, table=table, mapping=mapping, actor=_actor(run.user), apply=False,
                        date_order=date_order)
    run.choices = mapping.choices()
    run.date_order = date_order
    run.report = report.to_dict()
    run.save(update_fields=["choices", "date_order", "report", "updated_at"])
    return run


def import_run_apply(*, run: ImportRun, partial: bool) -> ImportReport:
    """Import for real. All or nothing unless ``partial``; the file's text is dropped once applied.

    Raises ``ImportAborted`` (nothing changed) when something other than bad data stops it.
    """
    _require_open(run)
    table, mapping = prepare_text(run.content, kind=run.kind, choices=run.choices)
    report = run_import(kind=run.kind, table=table, mapping=mapping, actor=_actor(run.user), apply=True,
                        partial=partial, date_order=run.date_order)
    run.report = report.to_dict()
    run.partial = partial
    if report.applied:
        run.status = ImportRunStatus.APPLIED
        run.applied_at = timezone.now()
        run.content = ""
    run.save()
    return report
