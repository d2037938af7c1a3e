"""A list costs the same number of queries for a page of 3 as for a page of 30."""

from __future__ import annotations

import pytest

from paceline.core.services import Actor
from paceline.customers import services
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    SubscriptionFactory,
    TaskFactory,
)

# Token lookup, count, page; interactions add one prefetch for contacts and one for users.
EXPECTED = {
    "/accounts": 3,
    "/contacts": 3,
    "/subscriptions": 3,
    "/interactions": 5,
    "/tasks": 3,
    "/audit": 3,
}


@pytest.fixture
def busy_book(csm, other_csm):
    for n in range(30):
        account = AccountFactory(owner=csm if n % 2 else other_csm)
        contacts = [ContactFactory(account=account), ContactFactory(account=account)]
        subscription = SubscriptionFactory(account=account)
        if n % 3 == 0:  # a closed term too, so some subscriptions carry a renewal outcome
            services.renewal_record(
                actor=Actor(user=csm, via="web"),
                subscription=subscription,
                decided_on=subscription.end_date,
                arr_after=subscription.arr,
            )
        interaction = InteractionFactory(account=account)
        interaction.contacts.set(contacts)
        interaction.users.set([csm, other_csm])
        TaskFactory(account=account, owner=csm)


@pytest.mark.parametrize("path", list(EXPECTED))
def test_a_list_costs_a_fixed_number_of_queries(csm_api, busy_book, django_assert_num_queries, path):
    csm_api.get(path)  # the token's first use is stamped once; measure the requests after it
    for limit in (3, 30):
        with django_assert_num_queries(EXPECTED[path]):
            response = csm_api.get(path, {"limit": limit})
        assert response.status_code == 200
        assert len(response.json()["items"]) == limit


def test_the_filtered_book_costs_the_same(csm_api, busy_book, django_assert_num_queries):
    csm_api.get("/accounts")
    for limit in (3, 15):
        with django_assert_num_queries(3):
            response = csm_api.get("/accounts", {"limit": limit, "owner": "me", "sort": "-arr", "segment": "mid_market"})
        assert len(response.json()["items"]) == limit
