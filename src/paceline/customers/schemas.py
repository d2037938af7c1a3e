"""What the customer-record API accepts and returns.

Money travels as decimal strings ("12000.00") next to its currency, never as a float. References
to other records take an id, or an external id where a client syncing from a CRM knows only that
(``account_external_id``, ``parent_external_id``, ``reports_to_external_id``).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Q
from ninja import Field, FilterLookup, Schema
from pydantic import (
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)

from paceline.core.schemas import MAX_ID, Id, InputFilterSchema, InputSchema
from paceline.customers.models import (
    ContactLevel,
    ContactRole,
    ContactStatus,
    InteractionKind,
    LifecycleStage,
    RenewalKind,
    Segment,
    Sentiment,
    SubscriptionStatus,
    TaskPriority,
    TaskStatus,
    Tier,
)

MONEY_IN_JSON = {"type": "string", "format": "decimal", "pattern": r"^\d+(\.\d{1,2})?$", "examples": ["12000.00"]}
MONEY_OUT_JSON = {"type": "string", "format": "decimal", "examples": ["12000.00"]}


def _no_float(value: Any) -> Any:
    # A JSON number with a fraction arrives as a binary float: refuse it rather than round it.
    if isinstance(value, float | bool):
        raise ValueError('Send money as a decimal string such as "12000.00", not a JSON number.')
    return value


MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(max_digits=14, decimal_places=2, ge=0),
    WithJsonSchema(MONEY_IN_JSON),
]
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(lambda d: format(d.quantize(Decimal("0.01")), "f"), return_type=str),
    WithJsonSchema(MONEY_OUT_JSON),
]
ExternalId = Annotated[str, Field(max_length=100)]


class WriteSchema(InputSchema):
    # Plain strings for choices, so services and audit entries see the stored values; a field the
    # API does not know is refused by name rather than silently dropped.
    model_config = ConfigDict(use_enum_values=True, extra="forbid")


class AccountRef(WriteSchema):
    account_id: Id | None = Field(None, description="The account's id; or give account_external_id.")
    account_external_id: ExternalId | None = None


class Page(Schema):
    count: int = Field(description="How many items match, across all pages.")
    limit: int
    offset: int


# Accounts ---------------------------------------------------------------------------------------


class AccountIn(WriteSchema):
    name: str = Field(max_length=200)
    external_id: ExternalId | None = Field(None, description="Stable id in your CRM or product.")
    domain: str = Field("", max_length=200)
    industry: str = Field("", max_length=100)
    employees: int | None = Field(None, ge=0)
    segment: Segment = Segment.MID_MARKET
    tier: Tier = Tier.TIER_2
    lifecycle_stage: LifecycleStage = LifecycleStage.ONBOARDING
    owner_id: Id | None = Field(None, description="The owning user's id.")
    parent_id: Id | None = Field(None, description="The parent account's id; or give parent_external_id.")
    parent_external_id: ExternalId | None = None
    currency: str = Field("USD", description="ISO 4217 code such as USD or EUR.")
    description: str = ""


class AccountOut(Schema):
    id: int
    external_id: str | None
    name: str
    domain: str
    industry: str
    employees: int | None
    segment: str
    tier: str
    lifecycle_stage: str
    owner_id: int | None
    parent_id: int | None
    currency: str
    description: str
    arr: MoneyOut = Field(description="Annual recurring revenue of the active subscriptions.")
    mrr: MoneyOut
    next_renewal_date: dt.date | None
    days_to_renewal: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class AccountChild(Schema):
    id: int
    external_id: str | None
    name: str
    arr: MoneyOut


class AccountDetailOut(AccountOut):
    children: list[AccountChild]
    rollup_arr: MoneyOut = Field(description="ARR of the account and all its descendants.")

    # Set by the endpoint from the selectors, so the schema itself runs no query.
    @staticmethod
    def resolve_children(obj) -> list:
        return obj.child_accounts


class AccountPage(Page):
    items: list[AccountOut]


class AccountListParams(InputSchema):
    """The book's filters; validated by ``selectors.AccountFilters``."""

    q: str | None = Field(None, description="Name or domain contains, or external id equals.")
    segment: str | None = Field(None, description=", ".join(Segment.values))
    tier: str | None = Field(None, description=", ".join(Tier.values))
    stage: str | None = Field(None, description=", ".join(LifecycleStage.values))
    owner: str | None = Field(None, description="A user id, 'me' or 'none' (unassigned).")
    renewal: str | None = Field(None, description="'overdue', or renewing within 30, 60, 90, 180 or 365 days.")
    parent: str | None = Field(None, description="An account id (its children) or 'none' (top level).")
    sort: str | None = Field(None, description="name, -name, arr, -arr, renewal, -renewal.")

    @field_validator("owner", "parent")
    @classmethod
    def _ids_fit_a_key(cls, value: str | None) -> str | None:
        # The book's own validation checks the form; this keeps a huge number out of the database.
        if value and value.strip().isdigit() and int(value) > MAX_ID:
            raise ValueError("No such id.")
        return value


# Contacts ---------------------------------------------------------------------------------------


class ContactFields(WriteSchema):
    name: str = Field(max_length=200)
    external_id: ExternalId | None = None
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=50)
    title: str = Field("", max_length=200)
    level: ContactLevel | None = None
    roles: list[ContactRole] = Field(default_factory=list, description="Role names.")
    reports_to_id: Id | None = Field(None, description="The manager's contact id, at the same account.")
    reports_to_external_id: ExternalId | None = None
    is_primary: bool = False
    status: ContactStatus = ContactStatus.ACTIVE
    left_on: dt.date | None = Field(None, description="Required when status is 'left'.")


class ContactIn(ContactFields, AccountRef):
    pass


class ContactOut(Schema):
    id: int
    account_id: int
    external_id: str | None
    name: str
    email: str
    phone: str
    title: str
    level: str | None
    roles: list[str]
    reports_to_id: int | None
    is_primary: bool
    status: str
    left_on: dt.date | None
    is_departed_champion: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_level(obj) -> str | None:
        return obj.level or None


class ContactPage(Page):
    items: list[ContactOut]


class ContactFilters(InputFilterSchema):
    account_id: Id | None = None
    account_external_id: Annotated[str | None, FilterLookup("account__external_id")] = None
    status: ContactStatus | None = None
    q: Annotated[str | None, FilterLookup(["name__icontains", "email__icontains", "title__icontains"])] = Field(
        None, description="Name, email or title contains."
    )
    email: Annotated[str | None, FilterLookup("email__iexact")] = None


# Subscriptions ----------------------------------------------------------------------------------


class SubscriptionFields(WriteSchema):
    product: str = Field(max_length=120)
    external_id: ExternalId | None = None
    seats: int = Field(0, ge=0)
    currency: str | None = Field(None, description="ISO 4217 code; defaults to the account's currency.")
    arr: MoneyIn = Field(description="Annual recurring revenue, as a decimal string.")
    start_date: dt.date
    end_date: dt.date
    renewal_date: dt.date | None = Field(None, description="Defaults to the end date.")
    auto_renew: bool = False
    notice_days: int = Field(30, ge=0)
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE


class SubscriptionIn(SubscriptionFields, AccountRef):
    pass


class RenewalOut(Schema):
    id: int
    subscription_id: int
    account_id: int
    outcome: RenewalKind
    decided_on: dt.date
    arr_before: MoneyOut
    arr_after: MoneyOut
    arr_delta: MoneyOut
    renewed_into_id: int | None
    note: str


class SubscriptionOut(Schema):
    id: int
    account_id: int
    external_id: str | None
    product: str
    seats: int
    currency: str
    arr: MoneyOut
    mrr: MoneyOut
    start_date: dt.date
    end_date: dt.date
    renewal_date: dt.date | None
    effective_renewal_date: dt.date
    auto_renew: bool
    notice_days: int
    status: str
    renewal_outcome: RenewalOut | None = Field(description="Set once this term's renewal is recorded.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_renewal_outcome(obj):
        return getattr(obj, "renewal_outcome", None)


class SubscriptionPage(Page):
    items: list[SubscriptionOut]


class SubscriptionFilters(InputFilterSchema):
    account_id: Id | None = None
    account_external_id: Annotated[str | None, FilterLookup("account__external_id")] = None
    status: SubscriptionStatus | None = None
    product: Annotated[str | None, FilterLookup("product__iexact")] = None
    renews_after: dt.date | None = Field(None, description="Renewal (or end) date on or after this day.")
    renews_before: dt.date | None = Field(None, description="Renewal (or end) date on or before this day.")

    # A term without a renewal date renews at its end date.
    def filter_renews_after(self, value: dt.date | None) -> Q:
        if value is None:
            return Q()
        return Q(renewal_date__gte=value) | Q(renewal_date__isnull=True, end_date__gte=value)

    def filter_renews_before(self, value: dt.date | None) -> Q:
        if value is None:
            return Q()
        return Q(renewal_date__lte=value) | Q(renewal_date__isnull=True, end_date__lte=value)


class RenewalIn(WriteSchema):
    decided_on: dt.date
    arr_after: MoneyIn = Field(description="ARR of the next term; 0 means churned.")
    seats_after: int | None = Field(None, ge=0, description="Seats of the next term; defaults to the current.")
    new_end_date: dt.date | None = Field(None, description="End of the next term; defaults to the same length.")
    note: str = ""


# Interactions -----------------------------------------------------------------------------------


class InteractionFields(WriteSchema):
    kind: InteractionKind
    occurred_at: AwareDatetime = Field(description="ISO 8601 with a time zone, e.g. 2025-03-01T14:00:00Z.")
    subject: str = Field(max_length=300)
    external_id: ExternalId | None = None
    summary: str = ""
    sentiment: Sentiment | None = None
    contact_ids: list[Id] | None = Field(None, description="Contacts of the account who took part.")
    user_ids: list[Id] | None = Field(None, description="Users of the CS team who took part.")


class InteractionIn(InteractionFields, AccountRef):
    pass


class InteractionOut(Schema):
    id: int
    account_id: int
    external_id: str | None
    kind: str
    occurred_at: dt.datetime
    subject: str
    summary: str
    sentiment: str | None
    contact_ids: list[int]
    user_ids: list[int]
    created_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_sentiment(obj) -> str | None:
        return obj.sentiment or None

    # .all() reads the prefetch cache the list endpoint fills, so a page costs no extra queries.
    @staticmethod
    def resolve_contact_ids(obj) -> list[int]:
        return sorted(c.pk for c in obj.contacts.all())

    @staticmethod
    def resolve_user_ids(obj) -> list[int]:
        return sorted(u.pk for u in obj.users.all())


class InteractionPage(Page):
    items: list[InteractionOut]


class InteractionFilters(InputFilterSchema):
    account_id: Id | None = None
    account_external_id: Annotated[str | None, FilterLookup("account__external_id")] = None
    kind: InteractionKind | None = None
    sentiment: Sentiment | None = None
    occurred_after: Annotated[AwareDatetime | None, FilterLookup("occurred_at__gte")] = Field(
        None, description="At or after this moment (ISO 8601 with a time zone)."
    )
    occurred_before: Annotated[AwareDatetime | None, FilterLookup("occurred_at__lt")] = Field(
        None, description="Before this moment (ISO 8601 with a time zone)."
    )
    contact_id: Annotated[Id | None, FilterLookup("contacts__id")] = None
    user_id: Annotated[Id | None, FilterLookup("users__id")] = None


# Tasks ------------------------------------------------------------------------------------------


class TaskFields(WriteSchema):
    title: str = Field(max_length=300)
    external_id: ExternalId | None = None
    description: str = ""
    owner_id: Id | None = Field(None, description="The assigned user's id.")
    due_date: dt.date | None = None
    priority: TaskPriority = TaskPriority.NORMAL
    status: TaskStatus = TaskStatus.OPEN
    source: str | None = Field(None, max_length=30, description="Where the task came from; defaults to 'api'.")


class TaskIn(TaskFields, AccountRef):
    pass


class TaskOut(Schema):
    id: int
    account_id: int
    external_id: str | None
    title: str
    description: str
    owner_id: int | None
    due_date: dt.date | None
    priority: str
    status: str
    source: str
    completed_at: dt.datetime | None
    is_overdue: bool
    created_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TaskPage(Page):
    items: list[TaskOut]


class TaskFilters(InputFilterSchema):
    account_id: Id | None = None
    account_external_id: Annotated[str | None, FilterLookup("account__external_id")] = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    owner: str | None = Field(None, description="A user id, 'me' or 'none' (unassigned).")
    due_after: Annotated[dt.date | None, FilterLookup("due_date__gte")] = Field(None, description="Due on or after.")
    due_before: Annotated[dt.date | None, FilterLookup("due_date__lte")] = Field(None, description="Due on or before.")
    source: str | None = None

    @field_validator("owner")
    @classmethod
    def _owner_is_an_id_me_or_none(cls, value: str | None) -> str | None:
        if value is not None and value not in {"me", "none"} and not (value.isdigit() and int(value) <= MAX_ID):
            raise ValueError("Use a user id, 'me' or 'none'.")
        return value

    def filter_owner(self, value: str | None) -> Q:
        # 'me' is replaced by the caller's id in the view, which knows the request.
        if not value:
            return Q()
        return Q(owner__isnull=True) if value == "none" else Q(owner_id=int(value))
