"""Importing contacts and subscriptions: links to accounts, chains of command, money and dates."""

import datetime as dt
from decimal import Decimal

from paceline.core.models import ActivityEvent
from paceline.customers.importing.report import RowError
from paceline.customers.models import Account, Contact, ContactStatus, Subscription
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory

SF_CONTACTS = "Contact ID,Account ID,First Name,Last Name,Email,Title,Reports To ID,Roles,Primary,Left On\n"


def test_contacts_link_to_their_account_and_managers_later_in_the_file(do_import, account):
    text = SF_CONTACTS + (
        "C2,acme,Bob,Builder,bob@acme.test,Engineer,C1,End User,no,\n"
        "C1,acme,Alice,Boss,alice@acme.test,VP Ops,,Champion; Exec Sponsor,yes,\n"
    )
    report = do_import("contacts", text)
    assert report.ok and report.created == 2
    alice, bob = Contact.objects.get(external_id="C1"), Contact.objects.get(external_id="C2")
    assert (alice.name, alice.account, alice.roles, alice.is_primary) == (
        "Alice Boss", account, ["champion", "executive_sponsor"], True)
    assert bob.reports_to == alice
    assert report.account_ids == [account.pk]


def test_a_manager_already_in_paceline_is_found(do_import, account):
    boss = ContactFactory(account=account, external_id="BOSS")
    assert do_import("contacts", SF_CONTACTS + "C3,acme,Cy,Clerk,,,BOSS,,,\n").ok
    assert Contact.objects.get(external_id="C3").reports_to == boss


def test_contact_problems_are_named(do_import, account):
    other = AccountFactory(external_id="other")
    ContactFactory(account=other, external_id="ELSEWHERE")
    ContactFactory(account=other, external_id="OTHERBOSS")
    text = SF_CONTACTS + (
        "C1,nope,Ann,A,,,,,,\n"
        "C2,acme,,,,,,,,\n"
        "C3,acme,Cat,C,not-an-email,,,Hero,maybe,\n"
        "C4,acme,Dan,D,,,OTHERBOSS,,,\n"
        "ELSEWHERE,acme,Moved,M,,,,,,\n"
        "C5,acme,Eve,E,,,C4,,,\n"
    )
    report = do_import("contacts", text, apply=False)
    assert report.errors == [
        RowError(2, "Account ID", "There is no account with external id 'nope' in Paceline; import the accounts first."),
        RowError(3, "First Name", "A value is required in 'First Name' or 'Last Name'."),
        RowError(4, "Roles", "'Hero' is not one of: Champion, Executive sponsor, Decision maker, Admin, End user."),
        RowError(4, "Primary", "'maybe' is not yes/no: use yes, no, true, false, 1 or 0."),
        RowError(5, "Reports To ID", "A contact can only report to someone at the same account."),
        RowError(6, "Account ID", "Contact 'ELSEWHERE' belongs to account 'other'; an import does not move it to another account."),
        RowError(7, "Reports To ID", "Contact 'C4' is on row 5, which has errors."),
    ]
    assert report.created == 0


def test_an_invalid_email_is_reported_by_the_service_on_its_column(do_import, account):
    report = do_import("contacts", SF_CONTACTS + "C1,acme,Ann,A,not-an-email,,,,,\n", apply=False)
    assert report.errors == [RowError(2, "Email", "Enter a valid email address.")]


def test_a_leaving_date_marks_the_contact_as_left_and_emits_the_departure(do_import, account):
    champion = ContactFactory(account=account, external_id="CH", name="Chris Champion", roles=["champion"])
    report = do_import("contacts", SF_CONTACTS + "CH,acme,Chris,Champion,,,,,,2026-02-01\n")
    assert report.updated == 1
    champion.refresh_from_db()
    assert (champion.status, champion.left_on) == (ContactStatus.LEFT, dt.date(2026, 2, 1))
    assert champion.is_departed_champion
    assert ActivityEvent.objects.filter(kind="contact.departed", subject_id=str(champion.pk)).exists()


def test_a_hubspot_contact_export_imports_with_full_names_and_company_ids(do_import):
    company = AccountFactory(external_id="9001")
    text = ("Record ID,First Name,Last Name,Email,Job Title,Associated Company ID,Lifecycle Stage\n"
            "51,Hana,Hub,hana@hub.test,CTO,9001,customer\n")
    report = do_import("contacts", text)
    assert report.ok and report.source == "hubspot"
    hana = Contact.objects.get(external_id="51")
    assert (hana.name, hana.title, hana.account) == ("Hana Hub", "CTO", company)


SUBS = "Subscription ID,Account ID,Product,Seats,ARR,Currency,Start Date,End Date,Auto Renew,Status\n"


def test_subscriptions_import_with_money_as_decimal_and_update_the_accounts_arr(do_import, account):
    today = dt.date.today()
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=335)
    text = SUBS + (
        f"S1,acme,Platform,50,\"$12,000.00\",USD,{start:%Y-%m-%d},{end:%Y-%m-%d},yes,Active\n"
        f"S2,acme,Add-on,5,\"2,400.50\",,{start:%d %b %Y},\"{end:%b %d, %Y}\",no,active\n"
    )
    report = do_import("subscriptions", text)
    assert report.ok and report.created == 2
    platform = Subscription.objects.get(external_id="S1")
    assert platform.arr == Decimal("12000.00") and isinstance(platform.arr, Decimal)
    assert (platform.seats, platform.auto_renew, platform.start_date) == (50, True, start)
    assert Subscription.objects.get(external_id="S2").currency == account.currency
    assert Account.objects.get(pk=account.pk).arr == Decimal("14400.50")


def test_subscription_problems_are_named(do_import, account):
    SubscriptionFactory(account=AccountFactory(external_id="other"), external_id="THEIRS")
    text = SUBS + (
        "S1,acme,Platform,50,12.000,USD,03/01/2026,2027-03-01,yes,Active\n"
        "S2,acme,Platform,50,1000,USD,2026-03-01,2025-03-01,yes,Active\n"
        "THEIRS,acme,Platform,50,1000,USD,2026-03-01,2027-03-01,yes,Active\n"
        "S3,acme,Platform,-5,1000,USD,2026-03-01,2027-03-01,sometimes,Paused\n"
    )
    report = do_import("subscriptions", text, apply=False)
    assert report.errors == [
        RowError(2, "ARR", "'12.000' could be read two ways; write 12000 or 12,000 (a dot marks decimals)."),
        RowError(2, "Start Date", "'03/01/2026' is ambiguous (1 March or 3 January?); write it as YYYY-MM-DD "
                                  "or say which order the file uses."),
        RowError(3, "End Date", "The end date must be after the start date."),
        RowError(4, "Account ID", "Subscription 'THEIRS' belongs to account 'other'; an import does not move it "
                                  "to another account."),
        RowError(5, "Seats", "'-5' is negative; a count cannot be below zero."),
        RowError(5, "Auto Renew", "'sometimes' is not yes/no: use yes, no, true, false, 1 or 0."),
        RowError(5, "Status", "'Paused' is not one of: Active, Not started, Ended, Cancelled."),
    ]


def test_the_date_order_resolves_ambiguous_dates(do_import, account):
    text = SUBS + "S1,acme,Platform,50,1000,USD,03/01/2026,03/01/2027,yes,Active\n"
    assert do_import("subscriptions", text, date_order="dmy").ok
    assert Subscription.objects.get(external_id="S1").start_date == dt.date(2026, 1, 3)


def test_a_contact_associated_with_several_companies_is_refused(do_import):
    AccountFactory(external_id="9001")
    text = "Record ID,First Name,Associated Company IDs\n51,Hana,9001;9002\n"
    report = do_import("contacts", text, apply=False)
    assert report.errors == [RowError(2, "Associated Company IDs",
                                      "'9001;9002' names 2 accounts; a record belongs to one: keep one id.")]
