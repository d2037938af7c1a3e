import pytest

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.core.services import Actor
from paceline.customers.importing.runner import prepare_text, run_import
from paceline.customers.models import Account, Contact, Subscription


@pytest.fixture
def do_import(db):
    """``do_import(kind, text, apply=..., partial=..., choices=..., user=...)`` -> ImportReport."""

    def run(kind, text, *, apply=True, partial=False, choices=None, date_order="", user=None):
        table, mapping = prepare_text(text, kind=kind, choices=choices)
        return run_import(kind=kind, table=table, mapping=mapping, actor=Actor(user=user, via="import"),
                          apply=apply, partial=partial, date_order=date_order)

    return run


@pytest.fixture
def db_state(db):
    """A fingerprint of every customer record and log row, to prove that nothing changed."""

    def state():
        return {
            "accounts": sorted(Account.objects.values_list("external_id", "name", "domain", "segment", "owner_id",
                                                           "parent_id", "currency", "arr")),
            "contacts": sorted(Contact.objects.values_list("external_id", "name", "email", "reports_to_id")),
            "subscriptions": sorted(Subscription.objects.values_list("external_id", "arr", "seats")),
            "audit": AuditEntry.objects.count(),
            "events": ActivityEvent.objects.count(),
        }

    return state
