"""A demo book loaded once per module (the tests only read it), and a digest of what was generated."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection, transaction

from paceline.customers.models import (
    Account,
    Contact,
    Interaction,
    RenewalOutcome,
    Subscription,
    Task,
)
from paceline.ops.demo import DemoConfig, load_demo
from paceline.success.models import (
    ActionItem,
    Checkpoint,
    Goal,
    Measurement,
    MetricChange,
    SuccessMetric,
    SuccessPlan,
)

ANCHOR = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def loaded_book(django_db_setup, django_db_blocker):
    """120 accounts as of ANCHOR, loaded once per module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = load_demo(DemoConfig(accounts=120, anchor=ANCHOR))
        # Check the deferred foreign keys now, once, rather than at every test's teardown.
        connection.check_constraints()
        yield report
        transaction.set_rollback(True)


@pytest.fixture
def book(loaded_book, db):
    return loaded_book


def digest(anchor: dt.date) -> str:
    """A hash of every generated row's meaningful fields, dates as offsets from the anchor.

    Primary keys are left out (sequences move on between loads); references go through external
    ids, usernames and offsets instead.
    """
    h = hashlib.sha256()

    def days(value) -> int | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return int((value - dt.datetime.combine(anchor, dt.time(), tzinfo=dt.UTC)).total_seconds())
        return (value - anchor).days

    for a in Account.objects.select_related("owner", "parent").order_by("external_id"):
        h.update(repr((a.external_id, a.name, a.domain, a.segment, a.tier, a.lifecycle_stage, str(a.arr),
                       days(a.next_renewal_date), a.parent and a.parent.external_id,
                       a.owner and a.owner.username, a.employees, days(a.created_at))).encode())
    for c in Contact.objects.select_related("account", "reports_to").order_by("external_id"):
        h.update(repr((c.external_id, c.name, c.email, c.title, c.level, c.roles, c.is_primary, c.status,
                       days(c.left_on), c.reports_to and c.reports_to.external_id)).encode())
    for s in Subscription.objects.order_by("external_id"):
        h.update(repr((s.external_id, s.product, s.seats, str(s.arr), days(s.start_date), days(s.end_date),
                       s.status, s.auto_renew, s.notice_days)).encode())
    for o in RenewalOutcome.objects.select_related("subscription", "renewed_into").order_by("subscription__external_id"):
        h.update(repr((o.subscription.external_id, o.outcome, days(o.decided_on), str(o.arr_before),
                       str(o.arr_after), o.renewed_into and o.renewed_into.external_id, o.note)).encode())
    contacts_of: dict[int, list[str]] = {}
    for interaction_id, external_id in Interaction.contacts.through.objects.values_list(
        "interaction_id", "contact__external_id"
    ):
        contacts_of.setdefault(interaction_id, []).append(external_id)
    users_of: dict[int, list[str]] = {}
    for interaction_id, username in Interaction.users.through.objects.values_list("interaction_id", "user__username"):
        users_of.setdefault(interaction_id, []).append(username)
    interactions = Interaction.objects.order_by("account__external_id", "occurred_at", "subject", "id").values_list(
        "id", "account__external_id", "kind", "occurred_at", "subject", "summary", "sentiment"
    )
    for pk, *fields in interactions:
        fields[2] = days(fields[2])
        h.update(repr((*fields, sorted(contacts_of.get(pk, [])), sorted(users_of.get(pk, [])))).encode())
    for t in Task.objects.select_related("account", "owner").order_by("account__external_id", "due_date", "title", "id"):
        h.update(repr((t.account.external_id, t.title, days(t.due_date), t.status, t.priority,
                       days(t.completed_at), t.owner and t.owner.username)).encode())
    _success_rows(h, days)
    return h.hexdigest()


def _success_rows(h, days) -> None:
    """The success plans' rows, ordered and referenced by names, accounts' external ids and dates."""
    for p in SuccessPlan.objects.select_related("account", "template", "owner", "customer_owner").order_by(
        "account__external_id", "created_at", "title"
    ):
        h.update(repr((p.account.external_id, p.title, p.summary, p.internal_notes, p.status, days(p.reviewed_on),
                       p.template and p.template.name, p.owner and p.owner.username,
                       p.customer_owner and p.customer_owner.external_id, days(p.created_at))).encode())
    for g in Goal.objects.select_related("plan__account", "parent", "agreed_by_contact").order_by(
        "plan__account__external_id", "plan__created_at", "parent__position", "position", "title"
    ):
        h.update(repr((g.plan.account.external_id, g.title, g.parent and g.parent.title, g.status, days(g.target_date),
                       days(g.agreed_on), g.agreed_by_contact and g.agreed_by_contact.external_id, days(g.closed_on),
                       g.close_reason, g.pace_status)).encode())
    in_plan = ("goal__plan__account__external_id", "goal__plan__created_at", "goal__position", "goal__title")
    rows = (
        (SuccessMetric, "", ("name", "unit", "direction", "baseline", "target", "target_date", "denominator", "pace_status")),
        (Measurement, "metric__", ("metric__name", "measured_on", "value", "source", "note")),
        (Checkpoint, "metric__", ("metric__name", "due_on", "target", "label")),
        (MetricChange, "metric__", ("metric__name", "changed_on", "old_target", "new_target", "new_denominator", "reason")),
        (ActionItem, "", ("title", "side", "due_on", "status", "done_on", "missed_on", "owner_contact__external_id")),
    )
    for model, prefix, fields in rows:
        for row in model.objects.order_by(*(prefix + f for f in in_plan), *fields).values_list(*fields):
            h.update(repr(tuple(days(v) if isinstance(v, dt.date) else v for v in row)).encode())
