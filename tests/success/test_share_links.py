"""Share links as our team manages them: who may, the URL shown once, revoking."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from paceline.core.models import AuditEntry
from paceline.success import sharing
from paceline.success.models import ShareLink
from paceline.success.views.share import share_links_context
from tests.factories import SuccessPlanFactory

URL_RE = re.compile(r'value="(http://testserver/shared/([A-Za-z0-9_-]+)/)"')


@pytest.fixture
def plan(account):
    return SuccessPlanFactory(account=account, title="Onboarding")


def _links(plan_id: int) -> str:
    return f"/plans/{plan_id}/share-links/"


def _create(client, plan, **data):
    return client.post(_links(plan.pk), {"label": "Jane Roe", "days": "30", **data})


@pytest.mark.parametrize("who", ["csm_client", "leader_client", "other_csm_client"])
def test_writers_create_a_link_and_see_its_url_once(request, who, plan):
    client = request.getfixturevalue(who)
    response = _create(client, plan)
    assert response.status_code == 200
    html = response.content.decode()
    url, raw = URL_RE.search(html).groups()
    link = ShareLink.objects.get(plan=plan)
    assert link.label == "Jane Roe" and sharing.share_link_resolve(raw) == link
    assert "will not be shown again" in html
    assert "no-store" in response["Cache-Control"]
    # Stored hashed only; not in the list once the response is gone, nor in the audit.
    assert not ShareLink.objects.filter(digest=raw).exists()
    later = client.get(_links(plan.pk)).content.decode()
    assert raw not in later and link.prefix in later and "Jane Roe" in later
    assert not URL_RE.search(later)
    assert raw not in str(list(AuditEntry.objects.values_list("before", "after")))


def test_a_link_lasts_the_days_asked(csm_client, plan):
    _create(csm_client, plan, days="7")
    link = ShareLink.objects.get(plan=plan)
    assert round((link.expires_at - link.created_at).total_seconds() / 86400) == 7


@pytest.mark.parametrize("days", ["0", "366", "soon", ""])
def test_it_refuses_a_lifetime_outside_one_day_to_a_year(csm_client, plan, days):
    response = _create(csm_client, plan, days=days)
    assert response.status_code == 400
    assert ShareLink.objects.count() == 0
    assert re.search(r'id="id_days_error"|class="errorlist', response.content.decode())


def test_it_asks_who_the_link_is_for(csm_client, plan):
    response = _create(csm_client, plan, label="  ")
    assert response.status_code == 400 and ShareLink.objects.count() == 0
    assert "This field is required." in response.content.decode()


def test_an_htmx_create_returns_the_panel_alone(csm_client, plan):
    response = csm_client.post(_links(plan.pk), {"label": "Jane Roe", "days": "30"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert '<section class="card share-links" id="share-links"' in html and "<html" not in html
    assert URL_RE.search(html)
    assert "HX-Request" in response["Vary"]


def test_a_viewer_is_refused(viewer_client, plan):
    assert viewer_client.get(_links(plan.pk)).status_code == 403
    assert _create(viewer_client, plan).status_code == 403
    assert ShareLink.objects.count() == 0


def test_anonymous_goes_to_login(anon_client, plan):
    for response in (anon_client.get(_links(plan.pk)), _create(anon_client, plan)):
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert ShareLink.objects.count() == 0


def test_an_unknown_plan_is_not_found(csm_client):
    assert csm_client.get(_links(987654)).status_code == 404
    assert csm_client.post(_links(987654), {"label": "x", "days": "3"}).status_code == 404


def test_revoking_stops_the_link(csm_client, anon_client, plan, actor):
    link, raw = sharing.share_link_create(actor=actor, plan=plan, label="Jane Roe")
    assert anon_client.get(f"/shared/{raw}/").status_code == 200
    response = csm_client.post(f"/plans/{plan.pk}/share-links/{link.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == _links(plan.pk)
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert anon_client.get(f"/shared/{raw}/").status_code == 410
    page = csm_client.get(_links(plan.pk)).content.decode()
    assert "Revoked" in page and f"/share-links/{link.pk}/revoke/" not in page


def test_an_htmx_revoke_returns_the_panel(csm_client, plan, actor):
    link, _ = sharing.share_link_create(actor=actor, plan=plan, label="Jane Roe")
    response = csm_client.post(f"/plans/{plan.pk}/share-links/{link.pk}/revoke/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="share-links"' in html and "Revoked" in html and "<html" not in html


def test_a_link_of_another_plan_cannot_be_revoked_through_this_one(csm_client, plan, actor):
    other = SuccessPlanFactory(account=plan.account)
    link, _ = sharing.share_link_create(actor=actor, plan=other, label="Other")
    assert csm_client.post(f"/plans/{plan.pk}/share-links/{link.pk}/revoke/").status_code == 404
    assert csm_client.post(f"/plans/{plan.pk}/share-links/999999/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_revoking_is_for_writers_by_post_only(viewer_client, anon_client, csm_client, plan, actor):
    link, _ = sharing.share_link_create(actor=actor, plan=plan, label="Jane Roe")
    url = f"/plans/{plan.pk}/share-links/{link.pk}/revoke/"
    assert viewer_client.post(url).status_code == 403
    assert anon_client.post(url).status_code == 302
    assert csm_client.get(url).status_code == 405
    link.refresh_from_db()
    assert link.revoked_at is None


def test_the_panel_lists_links_for_a_writer_and_nothing_for_a_viewer(plan, actor, csm, viewer):
    sharing.share_link_create(actor=actor, plan=plan, label="Jane Roe")
    request = RequestFactory().get("/")
    request.user = csm
    html = render_to_string("success/_share_links.html", {"share": share_links_context(plan, request)}, request=request)
    assert "Jane Roe" in html and "Share with the customer" in html and 'name="csrfmiddlewaretoken"' in html
    request.user = viewer
    html = render_to_string("success/_share_links.html", {"share": share_links_context(plan, request)}, request=request)
    assert html.strip() == ""
