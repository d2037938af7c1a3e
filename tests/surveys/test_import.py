"""Survey responses from CSV: the dry run, all or nothing, upsert by external id, encodings, the
command and the upload page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from paceline.core.services import Actor
from paceline.customers.importing.parsing import FileProblem
from paceline.customers.importing.report import RowError
from paceline.surveys.importing import import_responses_file
from paceline.surveys.models import Question, QuestionKind, Response, Survey
from tests.factories import AccountFactory, ContactFactory

URL = "/surveys/import/"


@pytest.fixture
def nps(db):
    survey = Survey.objects.create(name="Pulse NPS", kind="nps")
    Question.objects.create(survey=survey, position=0, key="nps", kind=QuestionKind.NPS, prompt="Recommend?", required=True)
    Question.objects.create(survey=survey, position=1, key="reason", kind=QuestionKind.TEXT, prompt="Why?")
    return survey


@pytest.fixture
def custom(db):
    survey = Survey.objects.create(name="Onboarding check", kind="custom")
    Question.objects.create(survey=survey, position=0, key="pace", kind=QuestionKind.SCALE, prompt="Pace?",
                            scale_min=1, scale_max=4)
    Question.objects.create(survey=survey, position=1, key="channel", kind=QuestionKind.SINGLE, prompt="Channel?",
                            choices=["E-mail", "Phone call"])
    Question.objects.create(survey=survey, position=2, key="modules", kind=QuestionKind.MULTI, prompt="Modules?",
                            choices=["Reports", "Alerts", "Billing"])
    return survey


@pytest.fixture
def people(account):
    other = AccountFactory(name="Globex", external_id="globex")
    return {
        "ann": ContactFactory(account=account, email="ann@acme.test", external_id="c-ann"),
        "bob": ContactFactory(account=account, email="bob@acme.test", external_id="c-bob"),
        "gil": ContactFactory(account=other, email="gil@globex.test", external_id="c-gil"),
        "other": other,
    }


def run(text: str, *, apply: bool = True, partial: bool = False, user=None, encoding: str = "", data: bytes | None = None):
    return import_responses_file(
        data if data is not None else text.encode(), encoding=encoding, actor=Actor(user=user, via="import"),
        apply=apply, partial=partial,
    )


GOOD = (
    "survey,account_external_id,contact_email,submitted_at,score,comment,external_id\n"
    "Pulse NPS,acme,ann@acme.test,2026-01-10,9,Fast support,r-1\n"
    "Pulse NPS,acme,BOB@acme.test,2026-01-11T08:30:00Z,3,,r-2\n"
)


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(nps, people):
    report = run(GOOD, apply=False)
    assert (report.ok, report.dry_run, report.created, report.applied) == (True, True, 2, False)
    assert not Response.objects.exists()


def test_an_import_records_each_response_with_its_answers(nps, people, csm):
    report = run(GOOD, user=csm)
    assert (report.created, report.updated, report.failed, report.applied) == (2, 0, 0, True)
    first, second = Response.objects.order_by("external_id")
    assert (first.contact, first.score, first.comment, first.source) == (people["ann"], 9, "Fast support", "import")
    assert first.submitted_at == timezone.make_aware(dt.datetime(2026, 1, 10))
    assert (second.contact, second.score) == (people["bob"], 3)
    assert second.submitted_at == dt.datetime(2026, 1, 11, 8, 30, tzinfo=dt.UTC)
    assert {a.question.key: a.number for a in first.answers.select_related("question")}["nps"] == 9


def test_importing_the_same_file_twice_changes_nothing_and_a_changed_row_updates(nps, people):
    run(GOOD)
    again = run(GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = run(GOOD.replace("Fast support,r-1", "Very fast support,r-1").replace(",3,,r-2", ",4,,r-2"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 0)
    assert Response.objects.count() == 2
    assert Response.objects.get(external_id="r-1").comment == "Very fast support"
    assert Response.objects.get(external_id="r-2").score == 4


MIXED = (
    "survey,account_external_id,contact_email,contact_external_id,submitted_at,score,comment,external_id\n"
    "Pulse NPS,acme,ann@acme.test,,2026-01-10,9,Great,r-1\n"  # row 2: fine
    "Pulse NPS,acme,bob@acme.test,,2026-01-10,11,,r-2\n"  # row 3: out of range
    "Nope,acme,,,2026-01-10,5,,r-3\n"  # row 4: no such survey
    "Pulse NPS,nobody,,,2026-01-10,5,,r-4\n"  # row 5: no such account
    "Pulse NPS,acme,gil@globex.test,,2026-01-10,5,,r-5\n"  # row 6: a contact of another account
    "Pulse NPS,acme,,c-gil,2026-01-10,5,,r-6\n"  # row 7: the same, by external id
    "Pulse NPS,acme,,,2999-01-01,5,,r-7\n"  # row 8: in the future
    "Pulse NPS,acme,,,2026-01-10,high,,r-8\n"  # row 9: not a number
    "Pulse NPS,acme,,,,5,,r-1\n"  # row 10: no date, and r-1 again
)


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(nps, people):
    report = run(MIXED)
    assert not report.applied
    assert not Response.objects.exists()
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (2, "external_id"), (3, "score"), (4, "survey"), (5, "account_external_id"), (6, "contact_email"),
        (7, "contact_external_id"), (8, "submitted_at"), (9, "score"), (10, "submitted_at"), (10, "external_id"),
    }
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "0 to 10" in reasons[(3, "score")]
    assert "Globex" in reasons[(6, "contact_email")]
    assert "also on row 10" in reasons[(2, "external_id")]
    assert report.failed == 9


def test_partial_imports_the_valid_rows_only(nps, people):
    text = GOOD + "Pulse NPS,acme,ann@acme.test,2026-01-12,12,,r-3\n"
    report = run(text, partial=True)
    assert (report.applied, report.created, report.failed) == (True, 2, 1)
    assert report.errors == [RowError(4, "score", report.errors[0].reason)]
    assert sorted(Response.objects.values_list("external_id", flat=True)) == ["r-1", "r-2"]


def test_question_columns_take_numbers_choices_and_lists(custom, people):
    text = (
        "survey,account_external_id,contact_external_id,submitted_at,pace,channel,modules\n"
        f"{custom.pk},acme,c-ann,2026-02-01,3,phone CALL,Alerts; reports\n"
        "Onboarding check,acme,c-bob,2026-02-01,5,Fax,Reports\n"
    )
    report = run(text)
    assert {(e.row, e.column) for e in report.errors} == {(3, "pace"), (3, "channel")}
    report = run(text.splitlines()[0] + "\n" + text.splitlines()[1] + "\n")
    assert report.applied
    answers = {a.question.key: a for a in Response.objects.get().answers.select_related("question")}
    assert (answers["pace"].number, answers["channel"].choices, answers["modules"].choices) == (
        3, ["Phone call"], ["Reports", "Alerts"])


def test_a_question_key_of_another_survey_is_refused_in_its_row(nps, custom, people):
    text = (
        "survey,account_external_id,submitted_at,score,pace\n"
        "Pulse NPS,acme,2026-01-10,9,\n"
        "Pulse NPS,acme,2026-01-10,9,2\n"
        "Onboarding check,acme,2026-01-10,,2\n"
    )
    report = run(text)
    assert [(e.row, e.column) for e in report.errors] == [(3, "pace")]
    assert "no question 'pace'" in report.errors[0].reason
    assert not report.file_errors


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("survey,account_external_id,score", "Missing required column: submitted_at"),
        ("survey,account_external_id,submitted_at,score,favourite_colour", "Column 'favourite_colour'"),
        ("survey,account_external_id,submitted_at,email,contact_email,score", "both give contact_email"),
    ],
)
def test_a_file_with_missing_or_unknown_columns_is_refused_whole(nps, people, header, problem):
    width = header.count(",") + 1
    row = ",".join(["Pulse NPS", "acme", "2026-01-10", "9", "x", "y"][:width])
    report = run(f"{header}\n{row}\n")
    assert any(problem in message for message in report.file_errors)
    assert not report.applied and not Response.objects.exists()


def test_a_file_in_another_encoding_is_refused_by_line_or_read_when_named(nps, people):
    text = GOOD.replace("Fast support", "Très rapide")
    data = text.encode("cp1252")
    with pytest.raises(FileProblem, match="Line 2 is not valid UTF-8"):
        run(text, data=data)
    report = run(text, data=data, encoding="cp1252")
    assert report.applied
    assert Response.objects.get(external_id="r-1").comment == "Très rapide"


def test_excel_utf8_with_a_byte_order_mark_and_semicolons_is_read(nps, people):
    text = GOOD.replace(",", ";")
    report = run(text, data=b"\xef\xbb\xbf" + text.encode())
    assert (report.applied, report.created) == (True, 2)


# The command -----------------------------------------------------------------------------------


def test_the_command_checks_with_dry_run_and_imports_without(nps, people, tmp_path, capsys):
    path = tmp_path / "responses.csv"
    path.write_text(GOOD)
    call_command("surveys", "import", str(path), "--dry-run")
    assert "Dry run of 2 survey responses rows" in capsys.readouterr().out
    assert not Response.objects.exists()
    call_command("surveys", "import", str(path))
    assert Response.objects.count() == 2


def test_the_command_fails_on_a_bad_row_and_changes_nothing(nps, people, tmp_path, capsys):
    path = tmp_path / "responses.csv"
    path.write_text(GOOD.replace(",9,", ",19,"))
    with pytest.raises(CommandError, match="1 row has errors; nothing was changed"):
        call_command("surveys", "import", str(path))
    assert "score" in capsys.readouterr().out
    assert not Response.objects.exists()


# The upload page --------------------------------------------------------------------------------


def _upload(client, text: str, **fields):
    return client.post(URL, {"file": SimpleUploadedFile("r.csv", text.encode()), "encoding": "utf-8", **fields})


def test_the_page_is_for_writers(anon_client, viewer_client, db):
    assert anon_client.get(URL).status_code == 302
    assert viewer_client.get(URL).status_code == 403
    assert viewer_client.post(URL, {}).status_code == 403


def test_the_page_checks_then_imports(csm_client, nps, people):
    checked = _upload(csm_client, GOOD, dry_run="on")
    assert checked.status_code == 200
    assert b"Dry run of 2 survey responses rows" in checked.content
    assert not Response.objects.exists()
    imported = _upload(csm_client, GOOD)
    assert b"Imported 2 survey responses rows" in imported.content
    assert Response.objects.count() == 2


def test_the_page_lists_the_errors_by_row(csm_client, nps, people):
    response = _upload(csm_client, GOOD.replace(",3,", ",33,"))
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "score")]
    assert not Response.objects.exists()


def test_the_page_refuses_an_unreadable_file_by_line(csm_client, nps, people):
    response = csm_client.post(URL, {"file": SimpleUploadedFile("r.csv", "é\n".encode("latin-1")), "encoding": "utf-8"})
    assert response.status_code == 400
    assert "Line 1 is not valid UTF-8" in response.context["form"].errors["file"][0]


def test_the_import_page_leads_to_it(csm_client, db):
    assert URL.encode() in csm_client.get("/import/").content
    page = csm_client.get(URL)
    assert page.status_code == 200
    assert b"paceline surveys import FILE --dry-run" in page.content
