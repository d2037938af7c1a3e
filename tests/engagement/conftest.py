"""An account on a contract term: started 100 days ago, renewing in a year from its start."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import SubscriptionFactory

TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=100)


@pytest.fixture
def termed(account):
    SubscriptionFactory(account=account, start_date=START, end_date=START + dt.timedelta(days=365))
    account.refresh_from_db()
    return account
