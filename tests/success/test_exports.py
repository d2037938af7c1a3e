"""Exports of a plan: the PDF (the customer's view, printed) and the CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zlib
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from weasyprint import HTML

from paceline.success import services
from paceline.success.models import Measurement
from paceline.success.pdf import LocalFetcher, static_roots
from paceline.success.report import COMMITMENT_COLUMNS, MEASUREMENT_COLUMNS
from paceline.success.selectors import plan_tree
from paceline.success.views.exports import print_html, spreadsheet_safe
from tests.success.test_share_page import (
    AUDIT_ONLY,
    GOAL_SECRET,
    OTHER_ACCOUNT,
    PLAN_SECRET,
    RETIRED_REASON,
    SUBGOAL_SECRET,
    build_plan,
)


@pytest.fixture
def built(account, csm):
    return build_plan(account, csm)


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects with their compressed streams opened, to look for pages and metadata."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        # A stream whose last byte is \r loses it to the delimiter: a decompressor object still
        # gives everything before it, where zlib.decompress would refuse the whole stream.
        try:
            parts.append(zlib.decompressobj().decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _walk(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _walk(child)


# PDF ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["csm_client", "leader_client", "other_csm_client", "viewer_client"])
def test_anyone_signed_in_gets_a_real_pdf(request, who, built):
    response = request.getfixturevalue(who).get(f"/plans/{built.plan.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="acme-corp-onboarding-to-first-value.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    objects = _pdf_objects(pdf)
    assert len(re.findall(rb"/Type\s*/Page\b", objects)) >= 1
    assert b"/Title (Onboarding to first value" in objects  # the document's title metadata


def test_the_pdf_prints_the_share_pages_report_with_the_same_charts_as_svg(built):
    html = print_html(plan_tree(plan_id=built.plan.pk), exported_by="Carl Csm")
    assert html.count("<svg") == 2  # one burn-up chart per metric, drawn on the server
    assert "application/vnd.vegalite+json" not in html and "<script" not in html
    for expected in ("Train the team", "People trained", "25% (50 of 200)", "Nominate the trainers",
                     "The absolute figure held", "prepared by Carl Csm"):
        assert expected in html
    for secret in (PLAN_SECRET, GOAL_SECRET, SUBGOAL_SECRET, OTHER_ACCOUNT, AUDIT_ONLY, RETIRED_REASON):
        assert secret not in html
    document = HTML(string=html, url_fetcher=LocalFetcher()).render()
    text = " ".join(box.text for page in document.pages for box in _walk(page._page_box) if hasattr(box, "text"))
    assert "Onboarding to first value" in text and "Train the team" in text
    assert len(document.pages) >= 1


def test_the_pdf_reads_its_stylesheet_from_our_static_files(built):
    css = finders.find("paceline/report_print.css")
    html = print_html(plan_tree(plan_id=built.plan.pk), exported_by="")
    assert f'href="{Path(css).as_uri()}"' in html


def test_the_printer_may_read_only_our_static_files_and_data_urls(tmp_path):
    fetcher = LocalFetcher()
    css = Path(finders.find("paceline/report_print.css"))
    assert fetcher.allows(css.as_uri())
    assert fetcher.allows("data:text/plain,hello")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    sneaky = f"{css.parent.as_uri()}/../../../../../../{outside.relative_to('/')}"
    for url in ("http://example.com/x.css", "https://127.0.0.1/", "ftp://example.com/", outside.as_uri(),
                "file:///etc/passwd", sneaky, "file://evil.example/etc/passwd"):
        assert not fetcher.allows(url), url
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch(css.as_uri()).read().startswith(b"/*")
    assert all(root.is_dir() or not root.exists() for root in static_roots())


def test_an_image_from_the_internet_in_a_plan_is_not_fetched(built, actor, monkeypatch):
    services.plan_update(actor=actor, plan=built.plan,
                         summary='<img src="http://example.com/pixel.png"> and file:///etc/passwd')
    fetched = []
    original = LocalFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(LocalFetcher, "fetch", spy)
    html = print_html(plan_tree(plan_id=built.plan.pk), exported_by="")
    assert "&lt;img" in html  # the summary is text, escaped
    from paceline.success.pdf import render_pdf

    assert render_pdf(html).startswith(b"%PDF")
    assert fetched and all(url.startswith("file://") and "report_print.css" in url for url in fetched)


def test_anonymous_goes_to_login_for_every_export(anon_client, built):
    for suffix in ("export.pdf", "export.csv", "commitments.csv"):
        response = anon_client.get(f"/plans/{built.plan.pk}/{suffix}")
        assert response.status_code == 302 and response["Location"].startswith("/login/"), suffix


def test_an_unknown_plan_is_not_found(csm_client, db):
    for suffix in ("export.pdf", "export.csv", "commitments.csv"):
        assert csm_client.get(f"/plans/987654/{suffix}").status_code == 404


def test_exports_are_read_only(csm_client, built):
    for suffix in ("export.pdf", "export.csv", "commitments.csv"):
        assert csm_client.post(f"/plans/{built.plan.pk}/{suffix}").status_code == 405


# CSV ------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_measurements_csv_has_one_row_per_measurement_with_its_context(viewer_client, built):
    response = viewer_client.get(f"/plans/{built.plan.pk}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="acme-corp-onboarding-to-first-value.csv"'
    rows = _csv(response)
    assert tuple(rows[0]) == MEASUREMENT_COLUMNS == (
        "plan", "goal", "sub-goal", "metric", "unit", "direction", "baseline", "target", "target date", "date",
        "value", "source", "note")
    by_day = {m.measured_on: m for m in Measurement.objects.all()}
    people = [d for d, m in by_day.items() if m.metric.name == "People trained"]
    first, second = sorted(people)
    lap_day = next(d for d, m in by_day.items() if m.metric.name == "Time to first order")
    people_metric = by_day[first].metric
    lap_metric = by_day[lap_day].metric
    plan = "Onboarding to first value"
    assert rows[1:] == [
        [plan, "Train the team", "", "People trained", "percent", "higher", "0", "25",
         people_metric.target_date.isoformat(), first.isoformat(), "8", "manual", "Cohort one"],
        [plan, "Train the team", "", "People trained", "percent", "higher", "0", "25",
         people_metric.target_date.isoformat(), second.isoformat(), "14", "manual", ""],
        [plan, "Train the team", "Managers trained first", "Time to first order", "duration", "lower", "1800", "600",
         lap_metric.target_date.isoformat(), lap_day.isoformat(), "1500", "manual", "'=HYPERLINK(\"x\")"],
    ]


def test_a_metric_not_measured_yet_has_a_row_without_a_value(csm_client, built, actor):
    services.metric_create(
        actor=actor, goal=built.hit, name="Sites live", unit="count", direction="higher", baseline=0,
        baseline_date=timezone.localdate(), target=3, target_date=dt.date(2100, 1, 1),
    )
    rows = _csv(csm_client.get(f"/plans/{built.plan.pk}/export.csv"))
    assert rows[-1] == ["Onboarding to first value", "Go live", "", "Sites live", "count", "higher", "0", "3",
                        "2100-01-01", "", "", "", ""]


def test_the_commitments_csv_lists_both_sides(viewer_client, built):
    response = viewer_client.get(f"/plans/{built.plan.pk}/commitments.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="acme-corp-onboarding-to-first-value-commitments.csv"')
    rows = _csv(response)
    assert tuple(rows[0]) == COMMITMENT_COLUMNS
    actions = {a.title: a for a in built.plan.goals.get(pk=built.goal.pk).actions.all()}
    actions.update({a.title: a for a in built.subgoal.actions.all()})
    plan = "Onboarding to first value"

    def due(title):
        return actions[title].due_on.isoformat()

    assert sorted(rows[1:]) == sorted([
        [plan, "Train the team", "", "Run the admin training", "vendor", "Carl Csm", due("Run the admin training"),
         "done", actions["Run the admin training"].done_on.isoformat(), "kept"],
        [plan, "Train the team", "", "Nominate the trainers", "customer", "Jane Roe", due("Nominate the trainers"),
         "open", "", "missed"],
        [plan, "Train the team", "", "Cancelled survey", "vendor", "Carl Csm", due("Cancelled survey"),
         "cancelled", "", "cancelled"],
        [plan, "Train the team", "Managers trained first", "Book the managers' session", "customer", "Jane Roe",
         due("Book the managers' session"), "open", "", "open"],
    ])


def test_the_csv_files_carry_no_internal_notes_nor_other_accounts(csm_client, built):
    for suffix in ("export.csv", "commitments.csv"):
        body = csm_client.get(f"/plans/{built.plan.pk}/{suffix}").content.decode()
        for secret in (PLAN_SECRET, GOAL_SECRET, SUBGOAL_SECRET, OTHER_ACCOUNT):
            assert secret not in body, (suffix, secret)


def test_a_plan_without_a_slug_still_gets_a_filename(csm_client, built, actor):
    built.plan.account.name = "東京"
    built.plan.account.save()
    services.plan_update(actor=actor, plan=built.plan, title="計画")
    response = csm_client.get(f"/plans/{built.plan.pk}/export.csv")
    assert response["Content-Disposition"] == f'attachment; filename="plan-{built.plan.pk}.csv"'


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("@SUM(A1)", "'@SUM(A1)"), ("-x", "'-x"),
    ("-5", "-5"), ("-0.25", "-0.25"), ("plain", "plain"), ("", ""),
])
def test_text_that_a_spreadsheet_would_run_is_quoted(value, expected):
    assert spreadsheet_safe(value) == expected
