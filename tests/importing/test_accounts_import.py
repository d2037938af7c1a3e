"""Importing accounts: the dry run's report, all-or-nothing, partial, upsert, in-file parents."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paceline.core.models import AuditEntry
from paceline.customers.importing.report import RowError
from paceline.customers.importing.runner import ImportAborted
from paceline.customers.importing.writers import services as writer_services
from paceline.customers.models import Account
from tests.factories import AccountFactory, UserFactory

HEADER = "Account ID,Account Name,Website,Employees,Segment,Account Owner,Billing Currency\n"
MIXED = HEADER + (
    "acme,Acme Corporation,,,,,\n"
    "B1,Bee,bee.com,,,,\n"
    "U1,Unchanged Ltd,unchanged.example,,,,\n"
    "A2,,globex.com,50,Mid-Market,,EUR\n"
    "A3,Initech,not a domain,many,Galactic,nobody@x,usd\n"
    "D1,First,,,,,\n"
    "D1,Second,,,,,\n"
)
MIXED_ERRORS = [
    RowError(5, "Account Name", "A value is required."),
    RowError(6, "Website", "'not a domain' is not a domain or web address."),
    RowError(6, "Employees", "'many' is not a number."),
    RowError(6, "Segment", "'Galactic' is not one of: Enterprise, Mid-market, SMB."),
    RowError(6, "Account Owner", "'nobody@x' is not a Paceline user (matched by username, email or full name)."),
    RowError(7, "Account ID", "External id 'D1' is also on row 8; each record may appear once."),
    RowError(8, "Account ID", "External id 'D1' is also on row 7; each record may appear once."),
]


@pytest.fixture
def unchanged(db):
    return AccountFactory(external_id="U1", name="Unchanged Ltd", domain="unchanged.example")


def test_the_dry_run_reports_each_problem_by_row_column_and_reason(do_import, account, unchanged, db_state):
    before = db_state()
    report = do_import("accounts", MIXED, apply=False)
    assert report.errors == MIXED_ERRORS
    assert (report.created, report.updated, report.unchanged, report.failed) == (1, 1, 1, 4)
    assert report.summary() == ("Dry run of 7 accounts rows: 1 to create, 1 to update, 1 unchanged, 4 with errors. "
                                "Nothing was changed.")
    assert not report.applied
    assert db_state() == before


def test_a_file_with_one_bad_row_changes_nothing(do_import, account, unchanged, db_state):
    before = db_state()
    report = do_import("accounts", MIXED)
    assert not report.applied
    assert report.errors == MIXED_ERRORS
    assert db_state() == before
    account.refresh_from_db()
    assert account.name == "Acme Corp"
    assert not Account.objects.filter(external_id="B1").exists()


def test_partial_applies_the_good_rows_and_reports_the_rest(do_import, account, unchanged):
    report = do_import("accounts", MIXED, partial=True)
    assert report.applied
    assert report.errors == MIXED_ERRORS
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    account.refresh_from_db()
    assert account.name == "Acme Corporation"
    assert Account.objects.get(external_id="B1").domain == "bee.com"
    assert not Account.objects.filter(external_id__in=["A2", "A3", "D1"]).exists()
    assert set(report.account_ids) == {account.pk, Account.objects.get(external_id="B1").pk, unchanged.pk}


def test_importing_twice_creates_no_duplicates_and_audits_only_changes(do_import, csm):
    text = HEADER + "X1,Xylo,xylo.com,10,SMB,carl,USD\nX2,Yak,yak.com,20,Enterprise,,EUR\n"
    first = do_import("accounts", text, user=csm)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    audits = AuditEntry.objects.count()

    second = do_import("accounts", text, user=csm)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert Account.objects.filter(external_id__in=["X1", "X2"]).count() == 2
    assert AuditEntry.objects.count() == audits

    third = do_import("accounts", text.replace("Yak,yak.com,20", "Yak Inc,yak.com,25"), user=csm)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    entry = AuditEntry.objects.filter(action="update").get()
    assert (entry.via, entry.actor) == ("import", csm)
    assert entry.before == {"name": "Yak", "employees": 20}
    assert entry.after == {"name": "Yak Inc", "employees": 25}


def test_values_are_converted_and_the_owner_is_matched_by_username_email_or_name(do_import, csm, leader, other_csm):
    text = HEADER + (
        "O1,One,https://www.one.example/x,\"1,200\",Mid-Market,carl,usd\n"
        f"O2,Two,two.example,5,smb,{leader.email.upper()},EUR\n"
        "O3,Three,three.example,5,Enterprise,Olga Other,GBP\n"
    )
    report = do_import("accounts", text)
    assert report.ok
    one, two, three = (Account.objects.get(external_id=i) for i in ("O1", "O2", "O3"))
    assert (one.domain, one.employees, one.segment, one.owner, one.currency) == ("one.example", 1200, "mid_market", csm, "USD")
    assert (two.segment, two.owner) == ("smb", leader)
    assert (three.segment, three.owner) == ("enterprise", other_csm)


def test_an_owner_name_shared_by_two_users_is_refused(do_import):
    UserFactory(username="jo1", first_name="Jo", last_name="Smith")
    UserFactory(username="jo2", first_name="Jo", last_name="Smith")
    report = do_import("accounts", HEADER + "S1,Smith Co,,,,Jo Smith,\n", apply=False)
    assert report.errors == [RowError(2, "Account Owner", "'Jo Smith' matches several users (jo1, jo2); use a username or email.")]


def test_a_blank_cell_keeps_the_current_value(do_import):
    AccountFactory(external_id="K1", name="Keep", industry="Retail", employees=40)
    report = do_import("accounts", "Account ID,Account Name,Industry,Employees\nK1,Keep Inc,,\n")
    assert report.updated == 1
    kept = Account.objects.get(external_id="K1")
    assert (kept.name, kept.industry, kept.employees) == ("Keep Inc", "Retail", 40)


PARENTS = "Account ID,Account Name,Parent Account ID\n"


def test_a_child_may_come_before_its_parent_in_the_file(do_import):
    report = do_import("accounts", PARENTS + "C1,Child,P1\nG1,Grandchild,C1\nP1,Parent,\n")
    assert report.ok and report.created == 3
    child = Account.objects.get(external_id="C1")
    assert child.parent.external_id == "P1"
    assert Account.objects.get(external_id="G1").parent == child


def test_a_parent_already_in_paceline_is_found(do_import, account):
    assert do_import("accounts", PARENTS + "C1,Child,acme\n").ok
    assert Account.objects.get(external_id="C1").parent == account


def test_parent_problems_are_named(do_import):
    text = PARENTS + "L1,Loop one,L2\nL2,Loop two,L1\nM1,Missing parent,ZZ\nE1,Bad parent,\nE2,Child of bad,E1\n"
    report = do_import("accounts", text.replace("E1,Bad parent,", "E1,,"), apply=False)
    assert report.errors == [
        RowError(2, "Parent Account ID", "The rows refer to each other in a loop (rows 2 → 3 → 2)."),
        RowError(3, "Parent Account ID", "The rows refer to each other in a loop (rows 2 → 3 → 2)."),
        RowError(4, "Parent Account ID", "There is no account with external id 'ZZ' in Paceline or in this file."),
        RowError(5, "Account Name", "A value is required."),
        RowError(6, "Parent Account ID", "Account 'E1' is on row 5, which has errors."),
    ]


def test_a_service_error_is_reported_on_the_column_it_concerns(do_import):
    long_name = "N" * 201
    report = do_import("accounts", f"Account ID,Account Name\nN1,{long_name}\n", apply=False)
    assert report.errors == [RowError(2, "Account Name", "Ensure this value has at most 200 characters (it has 201).")]


def test_an_unexpected_failure_mid_way_rolls_back_the_whole_file(do_import, db_state, monkeypatch):
    real = writer_services.account_upsert
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["external_id"])
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(writer_services, "account_upsert", flaky)
    before = db_state()
    with pytest.raises(ImportAborted) as err:
        do_import("accounts", "Account ID,Account Name\nR1,One\nR2,Two\nR3,Three\n")
    assert str(err.value) == "The import stopped at row 3 (RuntimeError: disk on fire); nothing was changed."
    assert calls == ["R1", "R2"]
    assert db_state() == before


def test_missing_required_columns_stop_the_import_before_any_row(do_import):
    report = do_import("accounts", "Account Name,Website\nAcme,acme.com\n")
    assert report.file_errors == ["Missing required column for accounts: external_id (e.g. 'account id', 'id')."]
    assert report.errors == [] and not report.applied
    assert not Account.objects.exists()


def test_extra_columns_are_ignored_and_named(do_import):
    report = do_import("accounts", "Account ID,Account Name,Favourite Colour,Annual Revenue\nF1,Fav,blue,\"$1,000,000\"\n")
    assert report.ok
    assert dict(report.ignored) == {
        "Favourite Colour": "not a field Paceline knows for accounts",
        "Annual Revenue": "the customer's own revenue, not the ARR it pays you; ARR comes from subscriptions",
    }
    assert Account.objects.get(external_id="F1").arr == 0


def test_a_row_with_the_wrong_number_of_fields_is_an_error_of_the_whole_row(do_import):
    report = do_import("accounts", "Account ID,Account Name\nW1,Fine\nW2,Too,many\n", apply=False)
    assert report.errors == [RowError(3, "", "The row has 3 fields but the header has 2.")]


def test_re_importing_unchanged_rows_costs_the_same_queries_whatever_their_number(do_import):
    def file_of(n):
        return PARENTS + "".join(f"Q{i},Q {i},{'Q0' if i else ''}\n" for i in range(n))

    do_import("accounts", file_of(30))
    counts = []
    for n in (5, 30):
        with CaptureQueriesContext(connection) as queries:
            assert do_import("accounts", file_of(n)).unchanged == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
