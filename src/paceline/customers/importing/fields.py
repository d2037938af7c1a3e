"""What can be imported: for each kind (accounts, contacts, subscriptions) its fields, the headers
that CRMs export for them, which columns are required, and headers ignored on purpose.

Headers are compared squashed (lower case, letters and digits only), so "Account Name",
"account_name", "AccountName" and "ACCOUNT NAME" are one header. Aliases cover Salesforce report
exports (labels such as "Account Owner") and Data Loader exports (API names such as
"NumberOfEmployees", "ParentId"), HubSpot exports ("Record ID", "Company Domain Name",
"Associated Company ID") and Paceline's own field names.

Some headers are recognised only to be ignored with a reason, because importing them would be
wrong: Salesforce's and HubSpot's "Annual Revenue" is the customer's own revenue, not what it
pays you (ARR comes from subscriptions); CRM owner ids are not Paceline users; HubSpot's
"Lifecycle Stage" (lead, customer...) is not Paceline's. A user who knows better can still map
such a column deliberately.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from paceline.customers.importing import values as v
from paceline.customers.models import (
    ContactLevel,
    ContactRole,
    ContactStatus,
    LifecycleStage,
    Segment,
    SubscriptionStatus,
    Tier,
)


@dataclass(frozen=True)
class ReadContext:
    """What converters may need besides the cell: the file's date order and who the users are."""

    date_order: str = ""
    find_user: Callable[[str], Any] | None = None


Reader = Callable[[str, ReadContext], Any]


def plain(read: Callable[[str], Any]) -> Reader:
    return lambda text, ctx: read(text)


def read_date(text: str, ctx: ReadContext) -> Any:
    return v.read_date(text, ctx.date_order)


def read_one_id(text: str, ctx: ReadContext) -> str:
    """HubSpot's "Associated Company IDs" may list several; a record belongs to exactly one account."""
    ids = [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]
    if len(ids) > 1:
        raise v.CellError(f"'{text}' names {len(ids)} accounts; a record belongs to one: keep one id.")
    return ids[0] if ids else text.strip()


def read_owner(text: str, ctx: ReadContext) -> Any:
    assert ctx.find_user is not None, "owner lookups need a user directory"
    return ctx.find_user(text)


@dataclass(frozen=True)
class Field:
    name: str
    help: str
    read: Reader
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    fields: tuple[Field, ...]
    # Each entry is a group of fields of which the file needs at least one column.
    required: tuple[tuple[str, ...], ...]
    ignored: dict[str, str] = field(default_factory=dict)
    ignored_from_hubspot: dict[str, str] = field(default_factory=dict)
    # The field naming another row of the same kind (a parent account, a manager).
    reference: str | None = None
    # Keys of a service's ValidationError that are not import fields, and the field to blame.
    error_fields: dict[str, str] = field(default_factory=dict)

    def field(self, name: str) -> Field:
        return self.field_map[name]

    @cached_property
    def field_map(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def alias_table(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for f in self.fields:
            for alias in (f.name, *f.aliases):
                table.setdefault(v.squash(alias), f.name)
        return table


read_segment = plain(v.choice_reader(Segment, {
    "ent": "enterprise", "large enterprise": "enterprise", "strategic": "enterprise",
    "mid market": "mid_market", "midmarket": "mid_market", "mm": "mid_market", "mid": "mid_market",
    "mid-size": "mid_market", "small business": "smb", "small and medium business": "smb",
    "small & medium business": "smb", "sme": "smb", "small": "smb",
}))
read_tier = plain(v.choice_reader(Tier, {
    "tier 1": "1", "t1": "1", "high touch": "1", "tier 2": "2", "t2": "2", "low touch": "2",
    "tier 3": "3", "t3": "3", "tech touch": "3", "digital": "3",
}))
read_stage = plain(v.choice_reader(LifecycleStage, {"onboard": "onboarding", "adopting": "adoption",
                                                    "mature": "maturity", "renewing": "renewal", "churn": "churned"}))
read_level = plain(v.choice_reader(ContactLevel, {
    "exec": "executive", "c level": "executive", "c-suite": "executive", "vp": "executive",
    "vice president": "executive", "head": "director", "ic": "individual", "individual": "individual",
    "staff": "individual",
}))
read_role = v.choice_reader(ContactRole, {
    "exec sponsor": "executive_sponsor", "sponsor": "executive_sponsor", "economic buyer": "decision_maker",
    "decision-maker": "decision_maker", "administrator": "admin", "user": "end_user",
})
read_contact_status = plain(v.choice_reader(ContactStatus, {
    "left": "left", "departed": "left", "former": "left", "former employee": "left",
    "no longer at company": "left", "current": "active",
}))
read_subscription_status = plain(v.choice_reader(SubscriptionStatus, {
    "pending": "pending", "future": "pending", "expired": "ended", "canceled": "cancelled",
    "terminated": "cancelled", "live": "active",
}))

text = plain(v.read_text)
money = plain(v.read_money)
count = plain(v.read_count)
boolean = plain(v.read_bool)
currency = plain(v.read_currency)

OWNER_ID_REASON = ("a CRM user id, not a Paceline user: export the owner's name or email "
                   "(e.g. 'Account Owner') instead")
HUBSPOT_STAGE_REASON = ("HubSpot's lifecycle stage (lead, customer...) is not Paceline's; map it to "
                        "lifecycle_stage only if it holds onboarding, adoption, maturity, renewal or churned")

ACCOUNTS = Kind(
    name="accounts",
    label="Accounts",
    fields=(
        Field("external_id", "the account's id in your CRM: rows are matched on it",
              text, ("account id", "id", "record id", "company id", "customer id", "account external id")),
        Field("name", "account name", text, ("account name", "company name", "company", "account", "customer name")),
        Field("domain", "web domain; a URL is reduced to its host", plain(v.read_domain),
              ("website", "company domain name", "website url", "web site", "url", "domain name")),
        Field("industry", "industry", text, ()),
        Field("employees", "number of employees", count,
              ("number of employees", "employee count", "headcount", "no of employees")),
        Field("segment", "Enterprise, Mid-market or SMB", read_segment, ("customer segment", "account segment")),
        Field("tier", "Tier 1, 2 or 3 (high, low or tech touch)", read_tier, ("service tier", "cs tier", "touch tier")),
        Field("lifecycle_stage", "onboarding, adoption, maturity, renewal or churned", read_stage,
              ("lifecycle stage", "lifecycle", "customer stage")),
        Field("owner", "the CSM: a Paceline user's username, email or full name", read_owner,
              ("account owner", "company owner", "csm", "customer success manager", "owner email", "owner name")),
        Field("parent_external_id", "the parent account's external id (in Paceline or in this file)", text,
              ("parent id", "parent account id", "parent company id", "parent company", "parent record id",
               "parent account external id")),
        Field("currency", "three-letter currency code", currency,
              ("currency iso code", "billing currency", "account currency", "company currency", "currency code")),
        Field("description", "free text", text, ("about", "account description", "company description")),
    ),
    required=(("external_id",), ("name",)),
    ignored={
        "annualrevenue": "the customer's own revenue, not the ARR it pays you; ARR comes from subscriptions",
        "arr": "an account's ARR is the sum of its subscriptions; import subscriptions instead",
        "type": "the CRM's account type (customer, prospect, partner) has no Paceline field; map it "
                "to segment only if it holds segments",
        "ownerid": OWNER_ID_REASON,
        "hubspotownerid": OWNER_ID_REASON,
        "companyownerid": OWNER_ID_REASON,
        "parentaccount": "a parent account's name; give its id (e.g. 'Parent Account ID') so the link is exact",
    },
    ignored_from_hubspot={"lifecyclestage": HUBSPOT_STAGE_REASON},
    reference="parent_external_id",
    error_fields={"parent": "parent_external_id"},
)

CONTACTS = Kind(
    name="contacts",
    label="Contacts",
    fields=(
        Field("external_id", "the contact's id in your CRM: rows are matched on it", text,
              ("contact id", "id", "record id", "contact external id")),
        Field("account_external_id", "the external id of the contact's account (already in Paceline)", read_one_id,
              ("account id", "associated company id", "associated company ids", "associated company id primary",
               "primary associated company id", "company id", "company record id", "customer id")),
        Field("name", "full name (or give first and last name)", text, ("full name", "contact name")),
        Field("first_name", "first name", text, ("given name",)),
        Field("last_name", "last name", text, ("surname", "family name")),
        Field("email", "email address", text, ("email address", "work email", "business email")),
        Field("phone", "phone number", text,
              ("phone number", "business phone", "work phone", "mobile", "mobile phone", "mobile phone number")),
        Field("title", "job title", text, ("job title",)),
        Field("level", "executive, director, manager or individual contributor", read_level,
              ("seniority", "management level", "job level")),
        Field("roles", "champion, executive sponsor, decision maker, admin, end user; several separated by ; or ,",
              plain(v.read_list(read_role)), ("role", "contact roles", "contact role", "buying role", "buying roles")),
        Field("reports_to_external_id", "the external id of the contact's manager (in Paceline or in this file)",
              text, ("reports to id", "manager id", "reports to contact id", "reports to external id")),
        Field("is_primary", "yes or no: the account's primary contact", boolean, ("primary", "primary contact")),
        Field("status", "active or left", read_contact_status, ("contact status",)),
        Field("left_on", "the date the contact left (implies status left)", read_date,
              ("left date", "left company on", "departure date", "date left")),
    ),
    required=(("external_id",), ("account_external_id",), ("name", "first_name", "last_name")),
    ignored={
        "accountname": "contacts are linked to their account by id: include 'Account ID' (Salesforce) or "
                       "'Associated Company ID' (HubSpot)",
        "companyname": "contacts are linked to their account by id: include 'Associated Company ID'",
        "associatedcompany": "contacts are linked to their account by id: include 'Associated Company ID'",
        "ownerid": OWNER_ID_REASON,
        "hubspotownerid": OWNER_ID_REASON,
        "contactowner": "contacts have no owner in Paceline; their account has",
        "reportsto": "a manager's name; give the manager's contact id (e.g. 'Reports To ID') so the link is exact",
    },
    ignored_from_hubspot={"lifecyclestage": HUBSPOT_STAGE_REASON},
    reference="reports_to_external_id",
    error_fields={"reports_to": "reports_to_external_id", "account": "account_external_id"},
)

SUBSCRIPTIONS = Kind(
    name="subscriptions",
    label="Subscriptions",
    fields=(
        Field("external_id", "the subscription's id in your billing system or CRM: rows are matched on it", text,
              ("subscription id", "contract id", "id", "record id", "subscription number", "contract number")),
        Field("account_external_id", "the external id of the subscription's account (already in Paceline)", read_one_id,
              ("account id", "company id", "associated company id", "customer id")),
        Field("product", "product or plan name", text, ("product name", "plan", "plan name")),
        Field("seats", "number of seats", count, ("quantity", "licenses", "licences", "seat count", "users")),
        Field("arr", "annual recurring revenue, e.g. 12,000.00", money,
              ("annual recurring revenue", "annual value", "arr amount")),
        Field("currency", "three-letter currency code; defaults to the account's", currency,
              ("currency iso code", "contract currency", "currency code")),
        Field("start_date", "first day of the term", read_date,
              ("contract start date", "subscription start date", "term start", "start", "term start date")),
        Field("end_date", "last day of the term", read_date,
              ("contract end date", "subscription end date", "term end", "end", "term end date")),
        Field("renewal_date", "renewal date; defaults to the end date", read_date, ("next renewal date",)),
        Field("auto_renew", "yes or no", boolean, ("auto renewal", "auto renews", "evergreen")),
        Field("notice_days", "notice period before renewal, in days", count,
              ("notice period", "notice period days", "notice")),
        Field("status", "active, not started, ended or cancelled", read_subscription_status,
              ("subscription status", "contract status")),
    ),
    required=(("external_id",), ("account_external_id",), ("product",), ("arr",), ("start_date",), ("end_date",)),
    ignored={
        "mrr": "give ARR; Paceline derives MRR from it",
        "monthlyrecurringrevenue": "give ARR; Paceline derives MRR from it",
        "totalcontractvalue": "a multi-year total would overstate ARR; give the annual amount",
        "tcv": "a multi-year total would overstate ARR; give the annual amount",
        "accountname": "subscriptions are linked to their account by id: include 'Account ID'",
    },
    error_fields={"account": "account_external_id"},
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in (ACCOUNTS, CONTACTS, SUBSCRIPTIONS)}
