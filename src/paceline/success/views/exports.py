"""A plan as a PDF (the customer's view, printed) and as CSV files (measurements, commitments).

The PDF is drawn from the same report data and the same chart specs as the share page; the
charts are rendered to SVG on the server and inlined, and WeasyPrint may read nothing but our
own static files and ``data:`` URLs, so a plan's text cannot make the server fetch a URL.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from paceline.core.charts import render_svg
from paceline.success import selectors
from paceline.success.models import SuccessPlan
from paceline.success.report import (
    COMMITMENT_COLUMNS,
    MEASUREMENT_COLUMNS,
    commitment_rows,
    measurement_rows,
    person_name,
    plan_report,
)
from paceline.users.permissions import can_read

PRINT_CSS = "paceline/report_print.css"
# A4 minus the print margins, in CSS pixels: the chart fills the text column.
PRINT_CHART_WIDTH = 600
PRINT_CHART_HEIGHT = 200
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def print_svg(spec: dict) -> str:
    """The page's chart spec at a fixed print size, drawn to SVG."""
    return render_svg({**spec, "width": PRINT_CHART_WIDTH, "height": PRINT_CHART_HEIGHT})


def _readable_plan(request: HttpRequest, plan_id: int) -> selectors.PlanTree:
    if not can_read(request.user):
        raise PermissionDenied("You cannot read success plans.")
    try:
        return selectors.plan_tree(plan_id=plan_id)
    except SuccessPlan.DoesNotExist:
        raise Http404("No success plan with this id.") from None


def _filename(plan: SuccessPlan, suffix: str) -> str:
    name = "-".join(part for part in (slugify(plan.account.name), slugify(plan.title)) if part)
    return f"{name or f'plan-{plan.pk}'}{suffix}"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


def print_html(tree: selectors.PlanTree, *, exported_by: str) -> str:
    """The HTML the PDF is printed from (charts inline as SVG)."""
    report = plan_report(tree, draw=print_svg)
    css = finders.find(PRINT_CSS)
    return render_to_string("success/report_print.html", {
        "report": report, "exported_by": exported_by, "css_url": Path(css).as_uri() if css else "",
    })


@login_required
@require_safe
def export_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    from paceline.success.pdf import render_pdf

    tree = _readable_plan(request, plan_id)
    pdf = render_pdf(print_html(tree, exported_by=person_name(request.user)))
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), _filename(tree.plan, ".pdf"))


def spreadsheet_safe(value: str) -> str:
    """Text a spreadsheet shows as text: a leading ' keeps "=cmd()" from running as a formula."""
    if value.startswith(FORMULA_START) and not NUMBER.match(value):
        return "'" + value
    return value


def _csv(columns: Sequence[str], rows: Iterable[Sequence[str]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(columns)
    writer.writerows([spreadsheet_safe(str(cell)) for cell in row] for row in rows)
    return _attachment(response, filename)


@login_required
@require_safe
def export_csv(request: HttpRequest, plan_id: int) -> HttpResponse:
    tree = _readable_plan(request, plan_id)
    return _csv(MEASUREMENT_COLUMNS, measurement_rows(tree), _filename(tree.plan, ".csv"))


@login_required
@require_safe
def commitments_csv(request: HttpRequest, plan_id: int) -> HttpResponse:
    tree = _readable_plan(request, plan_id)
    return _csv(COMMITMENT_COLUMNS, commitment_rows(tree), _filename(tree.plan, "-commitments.csv"))
