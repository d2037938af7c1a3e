"""The results pages, the comments by HTMX, the account's survey history, and what the surveys add
to the customer pages (the Voice of the customer panel and the book's NPS column)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paceline.core.charts import render_svg
from paceline.customers.models import Segment
from paceline.surveys import charts, selectors
from paceline.surveys.models import SurveyKind
from tests.factories import AccountFactory, ContactFactory, InteractionFactory
from tests.surveys.factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
PERSONAS = ["viewer_client", "csm_client", "other_csm_client", "leader_client"]


def ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def specs(html: str) -> dict[str, dict]:
    """The chart specs in a page, by their label."""
    found = re.findall(r'<script type="application/vnd.vegalite\+json" data-label="([^"]*)">(.*?)</script>', html, re.S)
    return {label: json.loads(body) for label, body in found}


@pytest.fixture
def answers(account, csm):
    """Ten NPS answers this month at the CSM's account (5 promoters, 2 passives, 3 detractors), two
    CSAT and one CES, with comments of every kind."""
    nps = SurveyFactory(name="Relationship NPS")
    contacts = [ContactFactory(account=account, name=f"Person {i}") for i in range(10)]
    comments = {10: "We love the new dashboards, great work!", 3: "Too slow and the support is terrible.",
                7: "The meeting is on Tuesday."}
    for contact, score in zip(contacts, [10, 10, 9, 9, 9, 8, 7, 6, 3, 0], strict=True):
        ResponseFactory(survey=nps, account=account, contact=contact, score=score, comment=comments.get(score, ""),
                        submitted_at=ago(2))
    for score in (5, 2):
        ResponseFactory(survey=SurveyFactory(kind=SurveyKind.CSAT, name="Support CSAT"), account=account, score=score,
                        submitted_at=ago(3))
    ResponseFactory(survey=SurveyFactory(kind=SurveyKind.CES, name="Effort"), account=account, score=5,
                    submitted_at=ago(3))
    from paceline.surveys.sentiment import responses_score

    responses_score()
    return nps


# Who may read ----------------------------------------------------------------------------------------


def _urls(account) -> list[str]:
    return ["/surveys/results/", "/surveys/results/comments/", f"/accounts/{account.pk}/surveys/"]


def test_anonymous_is_sent_to_log_in(anon_client, account):
    for url in _urls(account):
        response = anon_client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_signed_in_role_reads_the_results(request, persona, account, answers):
    client = request.getfixturevalue(persona)
    for url in _urls(account):
        assert client.get(url).status_code == 200, url


def test_the_pages_only_read(csm_client, account):
    for url in _urls(account):
        assert csm_client.post(url).status_code == 405


# The results page --------------------------------------------------------------------------------------


def test_the_results_show_nps_with_its_interval_and_a_caution_under_thirty(viewer_client, answers):
    html = viewer_client.get("/surveys/results/").content.decode()
    kpi = html[html.index('id="kpi-nps"'):html.index('id="kpi-csat"')]
    assert '<div class="value">20</div>' in kpi  # 50% promoters − 30% detractors
    nps = selectors.results(filters=selectors.ResultFilters()).overall.nps
    assert f"95%: {nps.low:.0f} to {nps.high:.0f} · 10 answers" in kpi
    assert "5 promoters · 2 passives · 3 detractors" in kpi
    assert "Few answers: read with care" in kpi
    assert "50%" in html[html.index('id="kpi-csat"'):] and "5.00" in html[html.index('id="kpi-ces"'):]


def test_no_caution_from_thirty_answers(viewer_client, account):
    survey = SurveyFactory()
    for i in range(30):
        ResponseFactory(survey=survey, account=account, score=i % 11, submitted_at=ago(1))
    html = viewer_client.get("/surveys/results/").content.decode()
    assert "Few answers" not in html[html.index('id="kpi-nps"'):html.index('id="kpi-csat"')]


def test_the_charts_are_drawn_from_the_core_chart_tags(csm_client, answers):
    html = csm_client.get("/surveys/results/").content.decode()
    assert "paceline/vendor/charts.js" in html[:html.index("</head>")]
    found = specs(html)
    assert set(found) == {"NPS answers 0 to 10, colored by band", "NPS by month with its 95% interval",
                          "Promoters, passives and detractors by segment"}
    bars = {row["score"]: (row["count"], row["band"]) for row in found["NPS answers 0 to 10, colored by band"]["data"]["values"]}
    assert bars[10] == (2, "promoter") and bars[7] == (1, "passive") and bars[0] == (1, "detractor") and bars[1] == (0, "detractor")
    trend = found["NPS by month with its 95% interval"]["data"]["values"]
    assert len(trend) == 12 and trend[-1]["nps"] == 20.0 and trend[-1]["n"] == 10 and trend[0]["nps"] is None
    segments = found["Promoters, passives and detractors by segment"]["data"]["values"]
    assert {(r["group"], r["band"], r["count"]) for r in segments} == {
        ("Mid-market", "detractor", 3), ("Mid-market", "passive", 2), ("Mid-market", "promoter", 5)}


def test_the_chart_specs_are_valid_vega_lite(answers):
    result = selectors.results(filters=selectors.ResultFilters())
    for spec in (charts.distribution_spec(result.distribution, width=400), charts.trend_spec(result.months, width=400),
                 charts.bands_spec(result.segments, width=400)):
        assert render_svg(spec).lstrip().startswith("<svg")


def test_the_tables_per_segment_csm_and_survey(csm_client, answers, csm):
    other = AccountFactory(segment=Segment.ENTERPRISE, owner=None)
    ResponseFactory(survey=answers, account=other, score=0, submitted_at=ago(1))
    html = csm_client.get("/surveys/results/").content.decode()
    assert re.search(r'data-segment="enterprise"><td>Enterprise</td>\s*<td class="num"><strong>-100</strong>', html)
    assert re.search(rf'data-owner="{csm.pk}"><td>Carl Csm</td>\s*<td class="num"><strong>20</strong>', html)
    assert re.search(r'data-owner=""><td>No owner</td>', html)
    assert re.search(rf'data-survey="{answers.pk}"><td>Relationship NPS</td>\s*<td class="num"><strong>9</strong>', html)


def test_the_filters_narrow_every_figure(csm_client, answers, account):
    other = AccountFactory(segment=Segment.SMB)
    ResponseFactory(survey=answers, account=other, score=0, submitted_at=ago(1))
    html = csm_client.get("/surveys/results/", {"segment": "smb"}).content.decode()
    assert '<div class="value">-100</div>' in html and "1 answer<" in html
    html = csm_client.get("/surveys/results/", {"survey": answers.pk, "csm": account.owner_id}).content.decode()
    assert '<div class="value">20</div>' in html and "No CSAT answer in this period" in html
    old = (timezone.localdate() - dt.timedelta(days=400)).isoformat()
    html = csm_client.get("/surveys/results/", {"start": old, "end": old}).content.decode()
    assert "No NPS answer in this period" in html


@pytest.mark.parametrize(("params", "field"), [
    ({"survey": "999999"}, "survey"),
    ({"survey": "abc"}, "survey"),
    ({"start": "2024-02-01", "end": "2024-01-01"}, "end"),
    ({"start": "yesterday"}, "start"),
    ({"segment": "galactic"}, "segment"),
    ({"csm": "999999"}, "csm"),
    ({"band": "fans"}, "band"),
])
def test_a_bad_filter_is_refused_by_name(csm_client, params, field):
    response = csm_client.get("/surveys/results/", params)
    assert response.status_code == 400
    assert f"<code>{field}</code>" in response.content.decode()


# Comments by HTMX ---------------------------------------------------------------------------------------


def test_the_comments_filter_is_one_url_with_two_shapes(csm_client, answers):
    fragment = csm_client.get("/surveys/results/comments/", {"band": "detractor"}, headers=HTMX)
    assert fragment.status_code == 200 and "HX-Request" in fragment["Vary"]
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section class="card loading" id="comments"') and "<html" not in html
    assert "Too slow and the support is terrible." in html and "We love the new dashboards" not in html
    page = csm_client.get("/surveys/results/comments/", {"band": "detractor"}).content.decode()
    assert "<html" in page and "Too slow and the support is terrible." in page


@pytest.mark.parametrize(("sentiment", "shown", "hidden"), [
    ("positive", "We love the new dashboards", "Too slow"),
    ("negative", "Too slow", "We love the new dashboards"),
    ("neutral", "The meeting is on Tuesday.", "Too slow"),
])
def test_the_comments_filter_by_sentiment(csm_client, answers, sentiment, shown, hidden):
    html = csm_client.get("/surveys/results/comments/", {"sentiment": sentiment}, headers=HTMX).content.decode()
    assert shown in html and hidden not in html


def test_the_comments_keep_the_pages_filters(csm_client, answers):
    ResponseFactory(survey=answers, account=AccountFactory(segment=Segment.SMB), score=1, comment="SMB is unhappy",
                    submitted_at=ago(1))
    html = csm_client.get("/surveys/results/", {"segment": "mid_market"}).content.decode()
    comments = html[html.index('id="comments"'):]
    assert '<input type="hidden" name="segment" value="mid_market">' in comments
    assert "SMB is unhappy" not in comments and "Too slow" in comments
    fragment = csm_client.get("/surveys/results/comments/", {"segment": "smb"}, headers=HTMX).content.decode()
    assert "SMB is unhappy" in fragment and "Too slow" not in fragment


def test_a_bad_comment_filter_comes_back_in_the_fragment(csm_client):
    response = csm_client.get("/surveys/results/comments/", {"sentiment": "ecstatic"}, headers=HTMX)
    assert response.status_code == 400
    assert "<code>sentiment</code>" in response.content.decode() and "<html" not in response.content.decode()


def test_comments_come_in_pages(csm_client, account):
    survey = SurveyFactory()
    for i in range(25):
        ResponseFactory(survey=survey, account=account, score=5, comment=f"Remark number {i:02d}.", submitted_at=ago(i + 1))
    first = csm_client.get("/surveys/results/comments/", headers=HTMX).content.decode()
    assert "Remark number 00." in first and "Remark number 24." not in first and "page=2" in first
    second = csm_client.get("/surveys/results/comments/", {"page": 2}, headers=HTMX).content.decode()
    assert "Remark number 24." in second and "Remark number 00." not in second


# The account's history, panel and book column -------------------------------------------------------------


def test_the_survey_history_lists_every_answer_of_the_account(viewer_client, account, answers):
    ResponseFactory(survey=answers, account=account, score=None, submitted_at=None, comment="")
    ResponseFactory(survey=answers, score=4, comment="Another account's words", submitted_at=ago(1))
    html = viewer_client.get(f"/accounts/{account.pk}/surveys/").content.decode()
    assert html.count('<tr data-response="') == 14
    assert "not finished" in html and "Another account" not in html
    assert "We love the new dashboards, great work!" in html


def test_the_survey_history_refuses_a_bad_page_and_an_unknown_account(viewer_client, account):
    response = viewer_client.get(f"/accounts/{account.pk}/surveys/", {"page": "zero"})
    assert response.status_code == 400 and "<code>page</code>" in response.content.decode()
    assert viewer_client.get("/accounts/999999/surveys/").status_code == 404


def test_the_account_page_has_the_voice_of_the_customer(viewer_client, account, answers):
    latest = ResponseFactory(survey=answers, account=account, contact=ContactFactory(account=account, name="Zoe Last"),
                             score=8, submitted_at=ago(1))
    InteractionFactory(account=account, summary="They were thrilled with the rollout, great meeting.",
                       occurred_at=ago(4))
    html = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    panel = html[html.index('id="panel-voice"'):]
    panel = panel[:panel.index("</section>")]
    assert "Voice of the customer" in panel
    assert re.search(r'id="voice-latest".*?<div class="value">8 <span class="badge warn">Passive</span>', panel, re.S)
    assert "Zoe Last" in panel and str(latest.submitted_at.year) in panel
    # Eleven contacts, each with one answer: 5 promoters, 3 passives, 3 detractors.
    assert re.search(r'id="voice-nps".*?<div class="value">18</div>', panel, re.S)
    assert "latest of 11 contacts" in panel and "Few answers: read with care" in panel
    assert re.search(r'id="voice-csat".*?<div class="value">50%</div>', panel, re.S)
    assert re.search(r'id="voice-ces".*?<div class="value">5.0</div>', panel, re.S)
    assert re.search(r'id="voice-sentiment".*?badge good">positive</span>', panel, re.S)
    assert "We love the new dashboards, great work!" in panel and f'href="/accounts/{account.pk}/surveys/"' in panel


def test_the_panel_says_when_nothing_was_answered(viewer_client, account):
    html = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    panel = html[html.index('id="panel-voice"'):]
    assert "No NPS answer yet" in panel and "No notes or comments" in panel


def test_the_book_has_an_nps_column(csm_client, account, answers, csm):
    quiet = AccountFactory(name="Quiet Co", owner=csm)
    html = csm_client.get("/book/").content.decode()
    assert "<th>NPS</th>" in html
    row = html[html.index(f'data-account-id="{account.pk}"'):]
    row = row[:row.index("</tr>")]
    assert re.search(r'class="badge warn nps-cell"[^>]*>20</span> <span class="muted small">n=10</span>', row)
    quiet_row = html[html.index(f'data-account-id="{quiet.pk}"'):]
    assert "nps-cell" not in quiet_row[:quiet_row.index("</tr>")]


# Fixed numbers of queries -------------------------------------------------------------------------------


def _count(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **kwargs).status_code == 200
    return len(captured.captured_queries)


def _grow(csm, n: int) -> None:
    survey, csat = SurveyFactory(), SurveyFactory(kind=SurveyKind.CSAT)
    for i in range(n):
        account = AccountFactory(owner=csm, segment=list(Segment)[i % 3])
        ResponseFactory(survey=survey, account=account, score=i % 11, comment=f"Words {i}", submitted_at=ago(i % 200))
        ResponseFactory(survey=csat, account=account, score=1 + i % 5, submitted_at=ago(i % 100))


def test_the_results_pages_cost_the_same_queries_whatever_the_data(csm_client, csm, account):
    urls = [("/surveys/results/", {}), ("/surveys/results/comments/", {"headers": HTMX}),
            (f"/accounts/{account.pk}/surveys/", {})]
    ResponseFactory(survey=SurveyFactory(), account=account, score=9, comment="First words", submitted_at=ago(1))
    before = [_count(csm_client, url, **kwargs) for url, kwargs in urls]
    _grow(csm, 30)
    for i in range(12):
        ResponseFactory(survey=SurveyFactory(), account=account, score=i % 11, comment=f"Said {i}", submitted_at=ago(i))
    assert [_count(csm_client, url, **kwargs) for url, kwargs in urls] == before


def test_the_panel_and_the_column_do_not_grow_with_the_answers(csm_client, csm, account):
    ResponseFactory(survey=SurveyFactory(), account=account, score=9, comment="First words", submitted_at=ago(1))
    InteractionFactory(account=account, summary="A first call.", occurred_at=ago(1))  # the timeline's own prefetches
    before = (_count(csm_client, f"/accounts/{account.pk}/"), _count(csm_client, "/book/"))
    _grow(csm, 20)
    survey = SurveyFactory()
    for i in range(15):
        ResponseFactory(survey=survey, account=account, score=i % 11, comment=f"Said {i}", submitted_at=ago(i))
        InteractionFactory(account=account, summary=f"Good call number {i}.", occurred_at=ago(i))
    assert (_count(csm_client, f"/accounts/{account.pk}/"), _count(csm_client, "/book/")) == before
