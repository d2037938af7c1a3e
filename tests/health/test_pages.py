"""Health pages: the account panel explains the stored score in words, the book shows band and
trend and sorts by most at-risk ARR, the overview, and models that leaders edit as new versions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paceline.health import selectors
from paceline.health.models import HealthScore, ManualAssessment, ModelVersion
from tests.factories import AccountFactory
from tests.health.page_factories import AT_RISK, HEALTHY, stored_score, with_arr

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def panel_html(client, account) -> str:
    response = client.get(f"/accounts/{account.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="panel-health"'):html.index('id="panel-health"') + 40000]


# The account panel --------------------------------------------------------------------------------


def test_panel_says_what_blocks_each_score_and_the_most_impactful_factor(csm_client, account):
    stored_score(account, on=TODAY, facts=AT_RISK)
    html = panel_html(csm_client, account)
    assert "Renewal held back by Adoption (blocked by Enablement)" in html
    assert "Adoption held back by Enablement" in html
    assert "Most impactful:" in html and "would add" in html
    assert "no data: left out" in html  # product has no data and is excluded
    assert "Standard v1" in html


def test_panel_lists_what_changed_since_last_week_with_reasons(csm_client, account):
    before = dict(AT_RISK, **{"champion.present": AT_RISK["champion.present"]})
    stored_score(account, on=days_ago(8), facts=before)
    from paceline.health.facts import Fact
    after = dict(AT_RISK, **{"champion.present": Fact(0, note="champion Jane Roe left on 3 March"),
                            "sponsor.days_since": Fact(200, note="no executive contact in 200 days")})
    stored_score(account, on=TODAY, facts=after)
    html = panel_html(csm_client, account)
    assert 'id="health-changes"' in html
    assert "champion Jane Roe left on 3 March" in html
    assert "Relationship based on trust" in html


def test_panel_draws_the_history_chart_when_there_are_two_scores(csm_client, account):
    stored_score(account, on=days_ago(14), facts=HEALTHY)
    stored_score(account, on=TODAY, facts=AT_RISK)
    html = panel_html(csm_client, account)
    assert 'application/vnd.vegalite+json' in html
    assert '"regression":"score"' in html


def test_panel_without_a_score_offers_score_now_to_writers_only(csm_client, viewer_client, account):
    assert "no health score yet" in panel_html(csm_client, account)
    assert "Score now" in panel_html(csm_client, account)
    assert "Score now" not in panel_html(viewer_client, account)


def test_panel_costs_the_same_queries_with_more_history(csm_client, account):
    stored_score(account, on=days_ago(8), facts=HEALTHY)
    stored_score(account, on=TODAY, facts=AT_RISK)
    with CaptureQueriesContext(connection) as few:
        panel_html(csm_client, account)
    for n in range(20, 60, 3):
        stored_score(account, on=days_ago(n), facts=HEALTHY)
    with CaptureQueriesContext(connection) as many:
        panel_html(csm_client, account)
    assert len(many) == len(few)


def test_score_now_stores_a_score_for_writers(csm_client, viewer_client, account):
    assert viewer_client.post(f"/health/accounts/{account.pk}/score/").status_code == 403
    assert not HealthScore.objects.filter(account=account).exists()
    response = csm_client.post(f"/health/accounts/{account.pk}/score/")
    assert response.status_code == 302
    assert HealthScore.objects.filter(account=account, on=TODAY).exists()


def test_a_csm_adds_a_manual_read_and_the_panel_shows_its_fading_weight(csm_client, account):
    response = csm_client.post(f"/health/accounts/{account.pk}/assessments/",
                               {"score": 30, "reason": "Budget freeze announced"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert ManualAssessment.objects.get(account=account).score == 30
    assert "Budget freeze announced" in html
    expires = TODAY + dt.timedelta(days=selectors.default_version().definition["manual"]["expires_days"])
    assert "100% of its weight today" in html and str(expires.day) in html


def test_a_manual_read_out_of_range_is_refused_at_its_field(csm_client, account):
    response = csm_client.post(f"/health/accounts/{account.pk}/assessments/",
                               {"score": 140, "reason": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert not ManualAssessment.objects.exists()
    html = response.content.decode()
    assert "less than or equal to 100" in html and "This field is required" in html


def test_viewers_and_anonymous_cannot_assess(viewer_client, anon_client, account):
    assert viewer_client.post(f"/health/accounts/{account.pk}/assessments/", {"score": 50, "reason": "x"}).status_code == 403
    assert anon_client.post(f"/health/accounts/{account.pk}/assessments/", {"score": 50, "reason": "x"}).status_code == 302
    assert not ManualAssessment.objects.exists()


# The book -----------------------------------------------------------------------------------------


def _book_order(client, query: str) -> list[str]:
    html = client.get(f"/book/?owner=all{query}").content.decode()
    return [int(part.split('"')[0]) for part in html.split('data-account-id="')[1:]]


def test_book_shows_band_and_trend_and_sorts_by_most_at_risk_arr(csm_client, csm):
    green = with_arr(AccountFactory(name="Green big", owner=csm), "900000")
    red_small = with_arr(AccountFactory(name="Red small", owner=csm), "10000")
    red_big = with_arr(AccountFactory(name="Red big", owner=csm), "500000")
    stored_score(red_small, on=TODAY, facts=AT_RISK)
    stored_score(red_big, on=days_ago(31), facts=HEALTHY)
    stored_score(red_big, on=TODAY, facts=AT_RISK)
    stored_score(green, on=TODAY, facts=HEALTHY)
    unscored = with_arr(AccountFactory(name="Never scored", owner=csm), "999999")
    assert _book_order(csm_client, "&sort=health") == [red_big.pk, red_small.pk, unscored.pk, green.pk]
    html = csm_client.get("/book/?owner=all").content.decode()
    row = html[html.index(f'data-account-id="{red_big.pk}"'):]
    assert "Red" in row[:4000] and "↓" in row[:4000]


def test_book_filters_by_band(csm_client, csm):
    red = AccountFactory(owner=csm)
    green = AccountFactory(owner=csm)
    stored_score(red, on=TODAY, facts=AT_RISK)
    stored_score(green, on=TODAY, facts=HEALTHY)
    assert _book_order(csm_client, "&health=red") == [red.pk]
    assert csm_client.get("/book/?owner=all&health=purple").status_code == 400


def test_book_costs_the_same_queries_with_more_scored_accounts(csm_client, csm):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert csm_client.get("/book/?owner=all&sort=health").status_code == 200
        return len(ctx)

    stored_score(AccountFactory(owner=csm), on=TODAY, facts=AT_RISK)
    few = count()
    for _ in range(5):
        stored_score(AccountFactory(owner=csm), on=TODAY, facts=AT_RISK)
    assert count() == few


# Overview and models ------------------------------------------------------------------------------


def test_overview_counts_accounts_and_arr_per_band_and_lists_the_at_risk(viewer_client, csm):
    red = with_arr(AccountFactory(name="Red one", owner=csm), "120000")
    stored_score(red, on=TODAY, facts=AT_RISK)
    stored_score(with_arr(AccountFactory(owner=csm), "50000"), on=TODAY, facts=HEALTHY)
    response = viewer_client.get("/health/")
    assert response.status_code == 200
    html = response.content.decode()
    red_kpi = html[html.index('id="band-red"'):html.index('id="band-yellow"')]
    assert ">1<" in red_kpi and "120,000" in red_kpi
    at_risk = html[html.index('id="health-at-risk"'):html.index('id="health-models"')]
    assert "Red one" in at_risk
    assert 'aria-current="page">Health' in html


def _edit_data(**changes) -> dict:
    version = selectors.default_version()
    from paceline.health.forms import ModelDefinitionForm
    form = ModelDefinitionForm(definition=version.definition)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = value
    data.update(note="Outcomes weigh more", **changes)
    return data


def test_a_leader_edits_a_model_into_a_new_version(leader_client):
    model = selectors.default_version().model
    response = leader_client.post(f"/health/models/{model.pk}/edit/", _edit_data(w_adoption_outcomes=3))
    assert response.status_code == 302
    latest = model.versions.order_by("-number").first()
    assert latest.number == 2 and latest.definition["equations"]["adoption"]["terms"]["outcomes"] == 3
    assert latest.note == "Outcomes weigh more"
    page = leader_client.get(f"/health/models/{model.pk}/").content.decode()
    assert "v2" in page and "Outcomes weigh more" in page and "Clearly defined outcomes" in page


def test_a_bad_definition_is_refused_at_its_field_and_nothing_is_saved(leader_client):
    model = selectors.default_version().model
    response = leader_client.post(f"/health/models/{model.pk}/edit/", _edit_data(band_yellow=90, band_green=70))
    assert response.status_code == 400
    html = response.content.decode()
    band_field = html[html.index('id="id_band_yellow"'):]
    assert "The yellow threshold must be below the green one." in band_field[:600]
    assert ModelVersion.objects.filter(model=model).count() == 1


def test_csms_and_viewers_read_models_but_cannot_edit(csm_client, viewer_client):
    model = selectors.default_version().model
    for client in (csm_client, viewer_client):
        assert client.get(f"/health/models/{model.pk}/").status_code == 200
        assert client.get(f"/health/models/{model.pk}/edit/").status_code == 403
        assert client.post(f"/health/models/{model.pk}/edit/", _edit_data()).status_code == 403
    assert ModelVersion.objects.filter(model=model).count() == 1


def test_a_leader_creates_a_model_for_a_segment_from_a_page(leader_client, csm_client):
    from paceline.health.models import HealthModel

    assert csm_client.get("/health/models/new/").status_code == 403
    refused = leader_client.post("/health/models/new/", {"name": "Standard", "segment": "enterprise"})
    assert refused.status_code == 200 and "A model with this name exists." in refused.content.decode()
    response = leader_client.post("/health/models/new/", {"name": "SMB", "segment": "smb", "lifecycle_stage": ""})
    model = HealthModel.objects.get(name="SMB")
    assert response.status_code == 302 and response["Location"] == f"/health/models/{model.pk}/edit/"
    assert model.segment == "smb" and model.current.number == 1
