"""The results math against numbers worked out by hand, and the reads' fixed number of queries.

The quarter below (January to March 2024) holds eleven NPS answers:

    month  account  segment     owner      survey  answers
    Jan    E1       enterprise  csm        A       10, 9, 6
    Jan    S1       smb         csm        A       3
    Feb    E2       enterprise  other_csm  A       9, 9, 8
    Feb    M1       mid-market  nobody     A       0
    Mar    E1       enterprise  csm        B       10
    Mar    S1       smb         csm        B       7, 9

plus CSAT 5, 4, 2 (E1) and 3 (S1) in February, CES 2, 4, 6 (E2) in March, and answers outside
the quarter, partial or out of scale that must not count.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paceline.customers.models import Segment
from paceline.surveys import selectors
from paceline.surveys.models import Campaign, Invitation, InvitationStatus, SurveyKind
from paceline.surveys.selectors import ResultFilters
from tests.factories import AccountFactory, ContactFactory
from tests.surveys.factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

QUARTER = ResultFilters(start=dt.date(2024, 1, 1), end=dt.date(2024, 3, 31))


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def quarter(csm, other_csm):
    e1 = AccountFactory(name="E1", segment=Segment.ENTERPRISE, owner=csm)
    e2 = AccountFactory(name="E2", segment=Segment.ENTERPRISE, owner=other_csm)
    s1 = AccountFactory(name="S1", segment=Segment.SMB, owner=csm)
    m1 = AccountFactory(name="M1", segment=Segment.MID_MARKET, owner=None)
    a, b = SurveyFactory(name="A relationship"), SurveyFactory(name="B pulse")
    csat, ces = SurveyFactory(name="C support", kind=SurveyKind.CSAT), SurveyFactory(name="D effort", kind=SurveyKind.CES)
    rows = [
        (a, e1, at(2024, 1, 15), [10, 9, 6]), (a, s1, at(2024, 1, 20), [3]),
        (a, e2, at(2024, 2, 10), [9, 9, 8]), (a, m1, at(2024, 2, 11), [0]),
        (b, e1, at(2024, 3, 20), [10]), (b, s1, at(2024, 3, 21), [7, 9]),
        (csat, e1, at(2024, 2, 5), [5, 4, 2]), (csat, s1, at(2024, 2, 6), [3]),
        (ces, e2, at(2024, 3, 2), [2, 4, 6]),
        # Outside the quarter, by a minute on each side.
        (a, e1, at(2023, 12, 31, 23) + dt.timedelta(minutes=59), [0]), (a, s1, at(2024, 4, 1, 0), [10]),
    ]
    for survey, account, on, scores in rows:
        for score in scores:
            ResponseFactory(survey=survey, account=account, submitted_at=on, score=score)
    ResponseFactory(survey=a, account=e1, submitted_at=None, score=0)  # started, never submitted
    ResponseFactory(survey=csat, account=e1, submitted_at=at(2024, 2, 5), score=9)  # out of its 1-5 scale
    ResponseFactory(survey=a, account=e1, submitted_at=at(2024, 2, 5), score=None, comment="No score given")
    return {"e1": e1, "e2": e2, "s1": s1, "m1": m1, "a": a, "b": b, "csat": csat, "ces": ces}


def test_the_quarter_overall_by_the_standard_definitions(quarter):
    result = selectors.results(filters=QUARTER)
    nps = result.overall.nps
    # 6 promoters, 2 passives, 3 detractors of 11: (6 - 3) / 11.
    assert (nps.n, nps.promoters, nps.passives, nps.detractors) == (11, 6, 2, 3)
    assert nps.score == pytest.approx(300 / 11)
    assert nps.small and nps.low < nps.score < nps.high
    assert (result.overall.csat.n, result.overall.csat.score) == (4, pytest.approx(50.0))
    assert (result.overall.ces.n, result.overall.ces.score) == (3, pytest.approx(4.0))
    counts = {bar.score: bar.count for bar in result.distribution}
    assert counts == {0: 1, 1: 0, 2: 0, 3: 1, 4: 0, 5: 0, 6: 1, 7: 1, 8: 1, 9: 4, 10: 2}
    assert [bar.band for bar in result.distribution] == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2


def test_per_segment(quarter):
    rows = {g.key: g.figures for g in selectors.by_segment(filters=QUARTER)}
    assert list(rows) == [Segment.ENTERPRISE, Segment.MID_MARKET, Segment.SMB]
    # Enterprise: 10, 9, 6, 9, 9, 8, 10: five promoters and one detractor of seven.
    assert (rows["enterprise"].nps.n, rows["enterprise"].nps.score) == (7, pytest.approx(400 / 7))
    assert rows["mid_market"].nps.score == pytest.approx(-100.0)
    assert (rows["smb"].nps.promoters, rows["smb"].nps.passives, rows["smb"].nps.detractors) == (1, 1, 1)
    assert rows["smb"].nps.score == pytest.approx(0.0)
    assert rows["enterprise"].csat.score == pytest.approx(200 / 3) and rows["smb"].csat.score == pytest.approx(0.0)
    assert rows["enterprise"].ces.score == pytest.approx(4.0) and rows["smb"].ces.n == 0


def test_per_csm_is_per_owner_of_the_answering_account(quarter, csm, other_csm):
    rows = {g.key: g for g in selectors.by_owner(filters=QUARTER)}
    # csm owns E1 and S1: 10, 9, 6, 3, 10, 7, 9: four promoters, two detractors of seven.
    assert rows[csm.pk].figures.nps.score == pytest.approx(200 / 7)
    assert rows[csm.pk].label == "Carl Csm"
    assert rows[other_csm.pk].figures.nps.score == pytest.approx(200 / 3)
    assert rows[None].label == "No owner" and rows[None].figures.nps.score == pytest.approx(-100.0)
    assert list(rows)[-1] is None


def test_per_survey(quarter):
    rows = {g.label: g for g in selectors.by_survey(filters=QUARTER)}
    assert rows["A relationship"].figures.nps.score == pytest.approx(12.5)  # 4 promoters, 3 detractors of 8
    assert rows["B pulse"].figures.nps.score == pytest.approx(200 / 3)
    assert rows["C support"].kind == SurveyKind.CSAT and rows["C support"].figures.csat.score == pytest.approx(50.0)
    assert rows["D effort"].figures.ces.score == pytest.approx(4.0)


def test_the_monthly_series(quarter):
    months = selectors.monthly(filters=QUARTER)
    assert [m.month for m in months] == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    assert [m.figures.nps.n for m in months] == [4, 4, 3]
    assert [m.figures.nps.score for m in months] == [pytest.approx(0.0), pytest.approx(25.0), pytest.approx(200 / 3)]
    assert [m.figures.csat.n for m in months] == [0, 4, 0] and months[2].figures.ces.score == pytest.approx(4.0)


def test_a_month_without_answers_is_in_the_series_with_no_score(quarter):
    months = selectors.monthly(filters=ResultFilters(start=dt.date(2023, 11, 1), end=dt.date(2024, 1, 31)))
    assert [m.month.month for m in months] == [11, 12, 1]
    assert months[0].figures.nps.score is None and months[0].figures.nps.n == 0
    assert months[1].figures.nps.score == pytest.approx(-100.0)  # the 0 of 31 December


def test_each_filter_narrows_the_answers(quarter, csm):
    def score(**kwargs):
        return selectors.results(filters=ResultFilters(**{"start": QUARTER.start, "end": QUARTER.end, **kwargs})).overall

    assert score(segment=Segment.ENTERPRISE).nps.score == pytest.approx(400 / 7)
    assert score(owner_id=csm.pk).nps.score == pytest.approx(200 / 7)
    assert score(survey_id=quarter["b"].pk).nps.n == 3 and score(survey_id=quarter["b"].pk).csat.n == 0
    assert score(end=dt.date(2024, 1, 31)).nps.score == pytest.approx(0.0)
    everything = selectors.results(filters=ResultFilters()).overall.nps
    assert everything.n == 13  # the two answers outside the quarter join


# One account: the latest answer of each contact within the window ----------------------------------


@pytest.fixture
def account_answers(account):
    nps = SurveyFactory(name="Relationship")
    c1, c2, c3, c4 = (ContactFactory(account=account, name=name) for name in ("Ann", "Bob", "Cy", "Di"))
    for contact, days, score in [
        (c1, 400, 3), (c1, 200, 10), (c1, 10, 6),  # latest in window: 6
        (c2, 30, 9),
        (c3, 500, 2),  # only outside the window
        (c4, 50, 8), (c4, 5, 10),  # latest: 10
        (None, 20, 7), (None, 25, 9),  # anonymous answers all count
    ]:
        ResponseFactory(survey=nps, account=account, contact=contact, submitted_at=ago(days), score=score)
    ResponseFactory(survey=nps, account=account, contact=c2, submitted_at=None, score=0)  # partial
    ResponseFactory(survey=nps, score=0)  # another account's
    csat = SurveyFactory(kind=SurveyKind.CSAT)
    for contact, days, score in [(c1, 10, 5), (c1, 20, 4), (c2, 30, 2), (c2, 400, 1)]:
        ResponseFactory(survey=csat, account=account, contact=contact, submitted_at=ago(days), score=score)
    return {"survey": nps, "contacts": (c1, c2, c3, c4)}


def test_account_nps_counts_the_latest_answer_of_each_contact_in_the_window(account, account_answers):
    figures = selectors.account_scores(account=account)
    # Counted: 6 (Ann), 9 (Bob), 10 (Di), 7 and 9 (anonymous): three promoters, one detractor of five.
    nps = figures.nps
    assert (nps.n, nps.promoters, nps.passives, nps.detractors) == (5, 3, 1, 1)
    assert nps.score == pytest.approx(40.0) and nps.small
    # CSAT counts every answer in the window: 5, 4, 2 (the 1 is older than a year).
    assert (figures.csat.n, figures.csat.score) == (3, pytest.approx(200 / 3))


def test_the_window_comes_from_the_settings(account, account_answers, settings):
    settings.PACELINE_NPS_WINDOW_DAYS = 15
    nps = selectors.account_scores(account=account).nps
    assert (nps.n, nps.promoters, nps.detractors, nps.score) == (2, 1, 1, pytest.approx(0.0))  # Ann's 6, Di's 10


def test_the_book_column_computes_the_same_rule_in_sql(account, account_answers, settings):
    from paceline.customers.models import Account

    survey = account_answers["survey"]
    # A tie of time: the same contact's two answers at the same instant; the later row wins on both sides.
    other = AccountFactory(name="Tie")
    contact = ContactFactory(account=other)
    same = ago(3)
    ResponseFactory(survey=survey, account=other, contact=contact, submitted_at=same, score=10)
    ResponseFactory(survey=survey, account=other, contact=contact, submitted_at=same, score=0)
    empty = AccountFactory(name="Silent")
    for window in (365, 15):
        settings.PACELINE_NPS_WINDOW_DAYS = window
        rows = {a.pk: a for a in selectors.annotate_nps(Account.objects.all())}
        for acc in (account, other, empty):
            expected = selectors.account_scores(account=acc).nps
            assert rows[acc.pk].nps_n == expected.n
            if expected.score is None:
                assert rows[acc.pk].nps_score is None
            else:
                assert rows[acc.pk].nps_score == pytest.approx(expected.score)
    assert rows[other.pk].nps_score == pytest.approx(-100.0)


def test_the_account_voice(account, account_answers):
    ann = account_answers["contacts"][0]
    ResponseFactory(survey=account_answers["survey"], account=account, contact=ann, submitted_at=ago(1), score=9,
                    comment="Much better since the new release", sentiment=0.44)
    voice = selectors.account_voice(account=account)
    assert voice.latest.score == 9 and voice.latest.contact == ann and voice.latest_band == "promoter"
    assert voice.nps.n == 5 and voice.nps.promoters == 4  # Ann's latest is now the 9
    assert [r.comment for r in voice.recent] == ["Much better since the new release"]
    assert voice.recent[0].band == "promoter" and voice.recent[0].sentiment_label == "positive"
    assert voice.sentiment.comments == 1


# Comments ------------------------------------------------------------------------------------------


@pytest.fixture
def comments():
    nps, csat = SurveyFactory(), SurveyFactory(kind=SurveyKind.CSAT)
    on = at(2024, 2, 1)
    made = {
        "love": ResponseFactory(survey=nps, score=10, comment="I love it", sentiment=0.64, submitted_at=on),
        "slow": ResponseFactory(survey=nps, score=3, comment="Too slow", sentiment=-0.3, submitted_at=on),
        "fine": ResponseFactory(survey=nps, score=7, comment="It is a tool", sentiment=0.0,
                                submitted_at=on + dt.timedelta(hours=1)),
        "csat": ResponseFactory(survey=csat, score=2, comment="Support never called back", sentiment=-0.2,
                                submitted_at=on),
        "new": ResponseFactory(survey=nps, score=9, comment="Not scored yet", submitted_at=on),
    }
    ResponseFactory(survey=nps, score=9, comment="", submitted_at=on)  # no comment
    ResponseFactory(survey=nps, score=1, comment="Started and left", submitted_at=None)  # not submitted
    return made


def test_comments_are_the_submitted_ones_newest_first(comments):
    rows = list(selectors.comments(filters=ResultFilters()))
    assert rows[0] == comments["fine"]
    assert {r.comment for r in rows} == {r.comment for r in comments.values()}


@pytest.mark.parametrize(("band", "sentiment", "expected"), [
    ("promoter", "", {"love", "new"}),
    ("passive", "", {"fine"}),
    ("detractor", "", {"slow"}),  # the CSAT 2 has no NPS band
    ("", "negative", {"slow", "csat"}),
    ("", "positive", {"love"}),
    ("", "neutral", {"fine"}),
    ("", "unscored", {"new"}),
    ("detractor", "negative", {"slow"}),
    ("promoter", "negative", set()),
])
def test_comments_filter_by_band_and_sentiment(comments, band, sentiment, expected):
    rows = selectors.comments(filters=ResultFilters(), band=band, sentiment=sentiment)
    assert {r.pk for r in rows} == {comments[name].pk for name in expected}


# An account's history -------------------------------------------------------------------------------


def test_the_history_counts_invitations_by_status(account, csm):
    survey = SurveyFactory()
    campaign = Campaign.objects.create(survey=survey, name="Q1", subject="A question", message="Hello")
    for status in (InvitationStatus.COMPLETED, InvitationStatus.SENT, InvitationStatus.OPENED,
                   InvitationStatus.SKIPPED, InvitationStatus.PARTIAL):
        Invitation.objects.create(campaign=campaign, contact=ContactFactory(account=account), account=account,
                                  status=status)
    ResponseFactory(survey=survey, account=account, score=8, submitted_at=ago(2))
    ResponseFactory(survey=survey, account=account, score=None, submitted_at=None, started_at=ago(1))
    history = selectors.account_history(account=account)
    assert (history.asked, history.unanswered) == (4, 3)
    rows = list(history.responses)
    assert [r.submitted_at is None for r in rows] == [True, False]  # the unfinished one started later
    assert history.scores.nps.n == 1


# Fixed numbers of queries -----------------------------------------------------------------------------


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def test_the_results_cost_five_queries_whatever_the_data(csm):
    def read():
        return selectors.results(filters=QUARTER)

    empty = _queries(read)
    survey = SurveyFactory()
    for index in range(30):
        account = AccountFactory(segment=list(Segment)[index % 3], owner=csm if index % 2 else None)
        ResponseFactory(survey=survey, account=account, submitted_at=at(2024, 1 + index % 3, 3), score=index % 11)
    assert empty == _queries(read) == 5


def test_the_account_voice_costs_the_same_whatever_the_data(account):
    def read():
        return selectors.account_voice(account=account)

    empty = _queries(read)
    survey = SurveyFactory()
    for days in range(1, 40):
        ResponseFactory(survey=survey, account=account, submitted_at=ago(days), score=days % 11, comment=f"Comment {days}")
    assert _queries(read) == empty
