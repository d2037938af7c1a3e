"""The fundamentals view of the book and the account's Fundamentals panel: who reads, what they show,
filters, counts, and a fixed number of queries per page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from paceline.customers.models import Contact
from tests.engagement.factories import NeedFactory
from tests.health.fundamentals_setup import days, sound_account

pytestmark = pytest.mark.django_db
URL = "/health/fundamentals/"


def test_the_url_is_named():
    assert reverse("health:fundamentals") == URL


@pytest.mark.parametrize("persona", ["leader_client", "csm_client", "other_csm_client", "viewer_client"])
def test_everyone_signed_in_reads(request, persona, csm):
    sound = sound_account(csm)
    response = request.getfixturevalue(persona).get(URL)
    assert response.status_code == 200
    assert f'id="fundamentals-{sound.account.pk}"' in response.content.decode()


def test_anonymous_is_sent_to_log_in(anon_client):
    response = anon_client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_rows_counts_reasons_and_the_failing_filter(csm, viewer_client):
    sound = sound_account(csm, "Sound")
    broken = sound_account(csm, "Broken")
    Contact.objects.filter(pk=broken.primary.pk).update(reports_to=None)
    NeedFactory(account=broken.account, area__name="Data export", opened_on=days(-3))
    page = viewer_client.get(URL).content.decode()
    assert 'id="count-escalation"><a' in page
    assert page.count("Fail</span>") == 2
    assert "A resource for: Data export." in page
    assert 'title="Nobody is known above Pat Primary of Broken."' in page
    only = viewer_client.get(URL, {"failing": "escalation"}).content.decode()
    assert f'id="fundamentals-{broken.account.pk}"' in only and f'id="fundamentals-{sound.account.pk}"' not in only
    counts = viewer_client.get(URL).context["view"].failing
    assert counts == {"availability": 1, "escalation": 1, "plan": 0, "accountability": 0, "goals": 0}


def test_owner_and_segment_filters(csm, other_csm, viewer_client):
    mine = sound_account(csm, "Mine")
    theirs = sound_account(other_csm, "Theirs")
    page = viewer_client.get(URL, {"owner": other_csm.pk}).content.decode()
    assert f'id="fundamentals-{theirs.account.pk}"' in page and f'id="fundamentals-{mine.account.pk}"' not in page
    assert viewer_client.get(URL, {"segment": "enterprise"}).context["view"].total == 0


def test_a_bad_filter_is_refused_naming_it(viewer_client):
    response = viewer_client.get(URL, {"failing": "vibes", "page": "0"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<code>failing</code>" in page and "<code>page</code>" in page


def test_a_fixed_number_of_queries_per_page(csm, viewer_client, settings):
    settings.PACELINE_PAGE_SIZE = 2
    sound_account(csm, "First")
    with CaptureQueriesContext(connection) as few:
        viewer_client.get(URL)
    for i in range(4):
        sound_account(csm, f"More {i}")
    with CaptureQueriesContext(connection) as more:
        response = viewer_client.get(URL, {"page": 2})
    assert response.context["page"].paginator.count == 5 and len(response.context["rows"]) == 2
    assert len(more) == len(few)


def test_the_account_panel_shows_the_five_with_the_missing_piece(csm, viewer_client):
    sound = sound_account(csm)
    Contact.objects.filter(pk=sound.primary.pk).update(reports_to=None)
    page = viewer_client.get(reverse("customers:account", args=[sound.account.pk])).content.decode()
    assert 'id="fundamentals-panel"' in page
    for key in ("availability", "escalation", "plan", "accountability", "goals"):
        assert f'id="fundamental-{key}"' in page
    assert "Missing:</strong> The person Pat Primary of Sound Co reports to" in page
