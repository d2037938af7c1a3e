"""The page that imports survey responses from a CSV file. Writers only.

One step: upload the file, checked only (the default) or imported. The report names every
problem by row and column; a file with errors changes nothing unless the valid rows are asked
for. A check that passes offers the same form again, ready to import.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_http_methods

from paceline.core.services import Actor
from paceline.customers.importing.forms import PAGE_MAX_ROWS
from paceline.customers.importing.parsing import ENCODINGS, FileProblem, decode, read_table
from paceline.customers.importing.values import DATE_ORDERS
from paceline.customers.models import Account
from paceline.surveys.importing import COLUMN_HELP, ImportAborted, import_responses
from paceline.users.permissions import writer_required

ERRORS_SHOWN = 500
ACCOUNTS_SHOWN = 50


class ResponsesUploadForm(forms.Form):
    file = forms.FileField(label="CSV file")
    encoding = forms.ChoiceField(choices=list(ENCODINGS.items()), initial="utf-8", label="Encoding")
    date_order = forms.ChoiceField(choices=list(DATE_ORDERS.items()), required=False, label="Dates like 03/01/2026")
    dry_run = forms.BooleanField(required=False, initial=True, label="Only check the file; change nothing")
    partial = forms.BooleanField(required=False, label="Import the valid rows even if other rows have errors")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if upload.size > limit:
            self.add_error("file", f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}. "
                                   "Split it, or use the paceline surveys import command.")
            return cleaned
        try:
            table = read_table(decode(upload.read(), cleaned.get("encoding", "")))
        except FileProblem as exc:
            self.add_error("file", str(exc))
            return cleaned
        if len(table.records) > PAGE_MAX_ROWS:
            self.add_error("file", f"The file has {len(table.records):,} rows; this page imports up to "
                                   f"{PAGE_MAX_ROWS:,} at a time. Split it, or use the paceline surveys import command.")
            return cleaned
        cleaned["table"] = table
        return cleaned


@writer_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = ResponsesUploadForm(request.POST or None, request.FILES or None)
    report = problem = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = import_responses(
                table=data["table"], actor=Actor(user=request.user, via="import"), apply=not data["dry_run"],
                partial=data["partial"], date_order=data["date_order"],
            )
        except ImportAborted as exc:
            problem = str(exc)
        else:
            # After a clean check, the next upload imports; after an import, the next one checks again.
            checked_clean = report.dry_run and report.ok
            form = ResponsesUploadForm(initial={
                "encoding": data["encoding"], "date_order": data["date_order"], "dry_run": not checked_clean,
            })
    accounts = []
    if report is not None and report.applied:
        accounts = list(Account.objects.filter(pk__in=report.account_ids[:ACCOUNTS_SHOWN]).order_by("name"))
    context = {
        "form": form, "report": report, "problem": problem, "nav": "import", "columns": COLUMN_HELP.items(),
        "errors": report.errors[:ERRORS_SHOWN] if report else [],
        "more_errors": max(0, len(report.errors) - ERRORS_SHOWN) if report else 0,
        "accounts": accounts, "more_accounts": max(0, len(report.account_ids) - ACCOUNTS_SHOWN) if report else 0,
    }
    # A report with row errors is a successful check; only a form that cannot be read is a 400.
    return render(request, "surveys/import.html", context, status=400 if form.errors else 200)
