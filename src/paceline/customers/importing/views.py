"""The import page: upload and dry run, adjust the mapping, apply. Writers only.

The uploaded text is kept on an ``ImportRun`` of the user between the steps, so the file is
uploaded once; a run of someone else is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from paceline.customers.importing import selectors, services
from paceline.customers.importing.fields import KINDS
from paceline.customers.importing.forms import ApplyForm, MappingForm, UploadForm
from paceline.customers.importing.mapping import SOURCES, MappingError
from paceline.customers.importing.parsing import FileProblem, read_headers
from paceline.customers.importing.report import ImportReport
from paceline.customers.importing.runner import ImportAborted
from paceline.customers.models import ImportRun, ImportRunStatus
from paceline.users.permissions import writer_required

ERRORS_SHOWN = 500


@writer_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.import_run_start(
                user=request.user, kind=data["kind"], filename=data["file"].name, text=data["text"],
                date_order=data["date_order"],
            )
        except FileProblem as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("importing:run", pk=run.pk)
    context = {
        "form": form, "nav": "import", "kinds": KINDS.values(),
        "runs": selectors.import_run_recent(user=request.user),
    }
    return render(request, "importing/upload.html", context, status=400 if form.errors else 200)


def _run_page(request: HttpRequest, run: ImportRun, *, mapping_form: MappingForm | None = None,
              status: int = 200) -> HttpResponse:
    report = ImportReport.from_dict(run.report)
    applied = run.status == ImportRunStatus.APPLIED
    if mapping_form is None and not applied:
        mapping_form = MappingForm(
            kind=KINDS[run.kind], headers=read_headers(run.content), current=run.choices,
            initial={"date_order": run.date_order},
        )
    notes = dict(report.ignored)
    columns = [(field, notes.get(field.label, "")) for field in mapping_form.column_fields()] if mapping_form else []
    context = {
        "run": run, "report": report, "columns": columns, "applied": applied, "nav": "import",
        "kind": KINDS[run.kind], "source": SOURCES.get(report.source, "CSV"),
        "mapping_form": mapping_form, "apply_form": ApplyForm(initial={"partial": run.partial}),
        "errors": report.errors[:ERRORS_SHOWN], "more_errors": max(0, len(report.errors) - ERRORS_SHOWN),
        "accounts": selectors.imported_accounts(ids=report.account_ids) if applied else [],
        "more_accounts": max(0, len(report.account_ids) - 50),
    }
    return render(request, "importing/run.html", context, status=status)


@writer_required
@require_http_methods(["GET"])
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_page(request, selectors.import_run_get(user=request.user, pk=pk))


@writer_required
@require_POST
def run_remap(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.import_run_get(user=request.user, pk=pk)
    if run.status == ImportRunStatus.APPLIED:
        messages.warning(request, "This import was already applied; upload the file again to import it again.")
        return redirect("importing:run", pk=run.pk)
    form = MappingForm(request.POST, kind=KINDS[run.kind], headers=read_headers(run.content), current=run.choices)
    if form.is_valid():
        try:
            services.import_run_recheck(run=run, choices=form.cleaned_data["choices"],
                                        date_order=form.cleaned_data["date_order"])
        except MappingError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            messages.info(request, "Checked again with your mapping.")
            return redirect("importing:run", pk=run.pk)
    return _run_page(request, run, mapping_form=form, status=400)


@writer_required
@require_POST
def run_apply(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.import_run_get(user=request.user, pk=pk)
    form = ApplyForm(request.POST)
    form.is_valid()  # a single optional checkbox: always valid
    try:
        # The run page shows the new report, so success needs no message of its own.
        services.import_run_apply(run=run, partial=form.cleaned_data.get("partial", False))
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    except ImportAborted as exc:
        messages.error(request, str(exc))
    return redirect("importing:run", pk=run.pk)
