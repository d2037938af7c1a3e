"""The page "Does our health score work?" and the commands that print the backtest."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from paceline.core.services import Actor
from paceline.health import backtest_runs
from paceline.health.models import BacktestRun, BacktestStatus
from tests.health.test_backtest_runner import book

URL = reverse("health:backtest")
START = reverse("health:backtest_start")


@pytest.fixture
def stored(db, leader):
    book(10)
    return backtest_runs.backtest_store(actor=Actor(user=leader), horizons=[90], results=backtest_runs.report([90]))


def test_anonymous_is_sent_to_log_in(anon_client, db):
    response = anon_client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    assert anon_client.post(START).status_code == 302
    assert not BacktestRun.objects.exists()


def test_everyone_signed_in_reads_the_stored_run(stored, viewer_client, csm_client):
    for client in (viewer_client, csm_client):
        page = client.get(URL).content.decode()
        assert "Does our health score work?" in page
        assert 'id="predictor-90-health"' in page and 'id="predictor-90-logistic"' in page
        auc = stored.results["horizons"][0]["predictors"]["health"]["auc"]
        assert f"<strong>{auc:.2f}</strong>" in page
        assert "Not available: no usage data" in page
        assert "application/vnd.vegalite+json" in page  # the ROC and calibration charts
        assert "What the learned models lean on" in page
        assert "Run the backtest" not in page  # only leaders start one


def test_the_page_never_computes_a_backtest(viewer_client, db):
    page = viewer_client.get(URL).content.decode()
    assert "No backtest has been run yet" in page and "A CS leader can run one" in page
    assert not BacktestRun.objects.exists()


def test_only_leaders_start_a_run(viewer_client, csm_client, leader_client, db):
    assert viewer_client.post(START).status_code == 403
    assert csm_client.post(START).status_code == 403
    assert not BacktestRun.objects.exists()
    response = leader_client.post(START, follow=True)
    run = BacktestRun.objects.get()
    assert run.status == BacktestStatus.QUEUED and run.horizons == [90, 180]
    assert "The backtest is queued" in response.content.decode()
    assert "Queued" in response.content.decode()
    again = leader_client.post(START, follow=True).content.decode()
    assert "A backtest is already queued" in again and BacktestRun.objects.count() == 1


def test_a_failed_run_says_why(viewer_client, db):
    BacktestRun.objects.create(status=BacktestStatus.FAILED, error="RuntimeError: database gone")
    assert "failed: RuntimeError: database gone" in viewer_client.get(URL).content.decode()


def test_the_backtest_command_prints_and_keeps_the_run(db):
    book(10)
    out = io.StringIO()
    call_command("health", "backtest", "--horizons", "90", "--store", stdout=out)
    text = out.getvalue()
    assert "Backtest of 10 past renewals (5 churned)" in text
    assert "Health renewal score" in text and "Days since last contact" in text
    assert "not available: no usage data" in text
    assert "Calibration of the health score, 90 days before" in text
    assert BacktestRun.objects.get().status == BacktestStatus.DONE


def test_the_backtest_command_refuses_bad_horizons(db):
    with pytest.raises(CommandError, match="--horizons 'soon'"):
        call_command("health", "backtest", "--horizons", "soon")


def test_the_train_command_names_bad_cells(tmp_path, db):
    path = tmp_path / "bad.csv"
    path.write_text("seats,churned\n10,0\nlots,1\n")
    with pytest.raises(CommandError, match=r"Row 2 \(line 3\), column 'seats': 'lots' is not a number"):
        call_command("health", "train", "--csv", str(path))


def test_the_train_command_prints_cross_validated_metrics(tmp_path, db):
    lines = ["id,logins,churned"] + [f"c{i},{(i % 4) * 10 + (0 if i % 4 else 1)},{int(i % 4 == 0)}" for i in range(40)]
    path = tmp_path / "mine.csv"
    path.write_text("\n".join(lines))
    out = io.StringIO()
    call_command("health", "train", "--csv", str(path), stdout=out)
    text = out.getvalue()
    assert "40 customers (10 churned), 1 features, 5-fold stratified cross-validation" in text
    assert "Learned: logistic regression" in text and "Learned: gradient boosting" in text


def test_charts_draw_only_predictors_with_a_value_and_keep_their_colour():
    from paceline.health import backtest, backtest_charts

    y, risk = [0, 1, 0, 1], [0.1, 0.8, 0.3, 0.6]
    predictors = {"health": {"label": "Health", **backtest.evaluate(y, risk, probability=True)},
                  "contact": {"label": "Contact", **backtest.evaluate(y, [1, 2, 3, 4], probability=False)},
                  "usage": {"label": "Usage", **backtest.unavailable(backtest.NO_USAGE)}}
    roc = backtest_charts.roc_spec(predictors)
    scale = roc["layer"][1]["encoding"]["color"]["scale"]
    assert scale["domain"] == ["Health (AUC 1.00)", "Contact (AUC 0.75)"]
    calibration = backtest_charts.calibration_spec(predictors)["layer"][1]["encoding"]["color"]["scale"]
    assert calibration["domain"] == ["Health"] and calibration["range"][0] == scale["range"][0]
    assert backtest_charts.roc_spec({"usage": predictors["usage"]}) is None
