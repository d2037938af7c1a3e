"""Header recognition for real-looking CRM exports, and the user's overrides."""

import pytest

from paceline.customers.importing.fields import KINDS
from paceline.customers.importing.mapping import MappingError, detect, override, parse_map_option
from paceline.customers.importing.values import squash


def fields_of(mapping):
    return {c.header: c.field for c in mapping.used}


def ignored_of(mapping):
    return {c.header: c.note for c in mapping.ignored}


SALESFORCE_ACCOUNT_REPORT = [
    "Account Owner", "Account Name", "Type", "Rating", "Last Activity", "Last Modified Date", "Billing State/Province",
    "Account ID", "Parent Account ID", "Website", "Industry", "Employees", "Annual Revenue", "Account Currency",
    "Description",
]


def test_a_salesforce_account_report_export_is_recognised():
    mapping = detect(KINDS["accounts"], SALESFORCE_ACCOUNT_REPORT)
    assert mapping.source == "salesforce"
    assert fields_of(mapping) == {
        "Account Owner": "owner", "Account Name": "name", "Account ID": "external_id",
        "Parent Account ID": "parent_external_id", "Website": "domain", "Industry": "industry",
        "Employees": "employees", "Account Currency": "currency", "Description": "description",
    }
    ignored = ignored_of(mapping)
    assert "not the ARR it pays you" in ignored["Annual Revenue"]
    assert "account type" in ignored["Type"]
    assert ignored["Rating"] == "not a field Paceline knows for accounts"
    assert mapping.missing_required() == []


def test_a_salesforce_data_loader_export_with_api_names_is_recognised():
    headers = ["Id", "IsDeleted", "Name", "Type", "ParentId", "Website", "Industry", "AnnualRevenue",
               "NumberOfEmployees", "CurrencyIsoCode", "OwnerId", "Description"]
    mapping = detect(KINDS["accounts"], headers)
    assert mapping.source == "salesforce"
    assert fields_of(mapping) == {
        "Id": "external_id", "Name": "name", "ParentId": "parent_external_id", "Website": "domain",
        "Industry": "industry", "NumberOfEmployees": "employees", "CurrencyIsoCode": "currency",
        "Description": "description",
    }
    assert "not a Paceline user" in ignored_of(mapping)["OwnerId"]


def test_a_salesforce_contact_export_is_recognised():
    headers = ["Contact ID", "Account ID", "Account Name", "First Name", "Last Name", "Title", "Email", "Phone",
               "Mobile", "Reports To ID", "Mailing City", "Contact Owner"]
    mapping = detect(KINDS["contacts"], headers)
    assert fields_of(mapping) == {
        "Contact ID": "external_id", "Account ID": "account_external_id", "First Name": "first_name",
        "Last Name": "last_name", "Title": "title", "Email": "email", "Phone": "phone",
        "Reports To ID": "reports_to_external_id",
    }
    ignored = ignored_of(mapping)
    assert ignored["Mobile"] == "phone already comes from 'Phone'"
    assert "linked to their account by id" in ignored["Account Name"]


HUBSPOT_COMPANY = [
    "Record ID", "Company name", "Company owner", "Create Date", "Phone Number", "City", "Country/Region",
    "Industry", "Company Domain Name", "Website URL", "Number of Employees", "Annual Revenue", "Lifecycle Stage",
    "Parent Company", "Type", "Time Zone", "Description",
]


def test_a_hubspot_company_export_is_recognised():
    mapping = detect(KINDS["accounts"], HUBSPOT_COMPANY)
    assert mapping.source == "hubspot"
    assert fields_of(mapping) == {
        "Record ID": "external_id", "Company name": "name", "Company owner": "owner", "Industry": "industry",
        "Company Domain Name": "domain", "Number of Employees": "employees",
        "Parent Company": "parent_external_id", "Description": "description",
    }
    ignored = ignored_of(mapping)
    assert ignored["Website URL"] == "domain already comes from 'Company Domain Name'"
    assert "HubSpot's lifecycle stage" in ignored["Lifecycle Stage"]


def test_a_hubspot_contact_export_is_recognised():
    headers = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Contact owner", "Job Title",
               "Lifecycle Stage", "Associated Company ID", "Associated Company", "Last Activity Date"]
    mapping = detect(KINDS["contacts"], headers)
    assert mapping.source == "hubspot"
    assert fields_of(mapping) == {
        "Record ID": "external_id", "First Name": "first_name", "Last Name": "last_name", "Email": "email",
        "Phone Number": "phone", "Job Title": "title", "Associated Company ID": "account_external_id",
    }
    ignored = ignored_of(mapping)
    assert "no owner in Paceline" in ignored["Contact owner"]
    assert "Associated Company ID" in ignored["Associated Company"]


def test_pacelines_own_field_names_are_recognised_for_every_kind():
    for kind in KINDS.values():
        mapping = detect(kind, kind.field_names)
        assert fields_of(mapping) == {name: name for name in kind.field_names}, kind.name


def test_subscription_headers_from_billing_exports_are_recognised():
    headers = ["Subscription ID", "Account ID", "Product Name", "Quantity", "Annual Recurring Revenue",
               "Currency", "Contract Start Date", "Contract End Date", "Next Renewal Date", "Auto Renew",
               "Notice Period (days)", "Status", "MRR"]
    mapping = detect(KINDS["subscriptions"], headers)
    assert fields_of(mapping) == {
        "Subscription ID": "external_id", "Account ID": "account_external_id", "Product Name": "product",
        "Quantity": "seats", "Annual Recurring Revenue": "arr", "Currency": "currency",
        "Contract Start Date": "start_date", "Contract End Date": "end_date", "Next Renewal Date": "renewal_date",
        "Auto Renew": "auto_renew", "Notice Period (days)": "notice_days", "Status": "status",
    }
    assert "derives MRR" in ignored_of(mapping)["MRR"]


def test_matching_ignores_case_spaces_and_punctuation():
    mapping = detect(KINDS["accounts"], ["ACCOUNT_NAME", "account-id", "Number Of Employees"])
    assert fields_of(mapping) == {"ACCOUNT_NAME": "name", "account-id": "external_id", "Number Of Employees": "employees"}


def test_no_alias_belongs_to_two_fields_of_a_kind():
    for kind in KINDS.values():
        owners = {}
        for field in kind.fields:
            for alias in {squash(a) for a in (field.name, *field.aliases)}:
                assert owners.setdefault(alias, field.name) == field.name, (kind.name, alias)


def test_missing_required_columns_are_named():
    mapping = detect(KINDS["subscriptions"], ["Subscription ID", "Product", "ARR"])
    problems = mapping.missing_required()
    assert [p.split(":")[1].split("(")[0].strip(" .") for p in problems] == [
        "account_external_id", "start_date", "end_date"]


def test_contacts_need_a_name_column_of_some_kind():
    assert detect(KINDS["contacts"], ["Id", "Account ID", "Last Name"]).missing_required() == []
    problems = detect(KINDS["contacts"], ["Id", "Account ID", "Email"]).missing_required()
    assert problems and "name or first_name or last_name" in problems[0]


def test_the_user_can_map_a_column_deliberately_and_ignore_another():
    mapping = detect(KINDS["accounts"], SALESFORCE_ACCOUNT_REPORT)
    mapped = override(mapping, {"Type": "segment", "description": ""})
    fields = fields_of(mapped)
    assert fields["Type"] == "segment"
    assert "Description" not in fields
    assert ignored_of(mapped)["Description"] == "ignored by your choice"


def test_choosing_a_field_detected_elsewhere_moves_it():
    mapping = override(detect(KINDS["accounts"], HUBSPOT_COMPANY), {"Website URL": "domain"})
    assert fields_of(mapping)["Website URL"] == "domain"
    assert ignored_of(mapping)["Company Domain Name"] == "you chose 'Website URL' for domain"


def test_a_confirmed_detection_keeps_its_reason():
    mapping = detect(KINDS["accounts"], SALESFORCE_ACCOUNT_REPORT)
    again = override(mapping, mapping.choices())
    assert ignored_of(again) == ignored_of(mapping)


def test_bad_overrides_are_refused_with_every_reason():
    mapping = detect(KINDS["accounts"], ["Account ID", "Account Name", "Notes", "Type"])
    with pytest.raises(MappingError) as err:
        override(mapping, {"Nope": "name", "Notes": "colour", "Type": "description", "Account Name": "description"})
    problems = err.value.problems
    assert any("no column 'Nope'" in p for p in problems)
    assert any("'colour' (for column 'Notes') is not a field Paceline knows for accounts" in p for p in problems)
    assert any("are all mapped to description" in p for p in problems)


def test_map_options_split_on_the_last_equals_sign():
    assert parse_map_option("Revenue = Plan=arr") == ("Revenue = Plan", "arr")
    assert parse_map_option("Type=") == ("Type", "")
    with pytest.raises(MappingError):
        parse_map_option("Type")
