"""Measurements over the API: one at a time, in bulk (all or nothing), listed and deleted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.success.models import Measurement, SuccessMetric
from tests.api.conftest import error_fields
from tests.factories import AccountFactory, SuccessMetricFactory, SuccessPlanFactory

TODAY = timezone.localdate()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@pytest.fixture
def metric(account):
    return SuccessMetricFactory(goal__plan=SuccessPlanFactory(account=account))


@pytest.fixture
def race(account):
    return SuccessMetricFactory(
        goal__plan=SuccessPlanFactory(account=account), name="Two miles", unit="duration", direction="lower",
        baseline=Decimal(1620), target=Decimal(1140),
    )


def _nothing_written() -> bool:
    return not (
        Measurement.objects.exists()
        or AuditEntry.objects.filter(target_type="success.measurement").exists()
        or ActivityEvent.objects.filter(kind__startswith="success.metric").exists()
    )


def test_recording_a_measurement_repaces_the_metric(csm_api, csm, metric):
    response = csm_api.post(f"/metrics/{metric.pk}/measurements",
                            {"measured_on": day(0), "value": "40.25", "note": "From the LMS", "unit": "count"})
    assert response.status_code == 201
    body = response.json()
    assert (body["value"], body["source"], body["note"], body["recorded_by_id"]) == ("40.25", "api", "From the LMS", csm.pk)
    metric.refresh_from_db()
    assert metric.pace_status == "ahead"
    assert metric.evaluated_on == TODAY
    same_day = csm_api.post(f"/metrics/{metric.pk}/measurements", {"measured_on": day(0), "value": 41})
    assert same_day.json()["id"] == body["id"]
    assert Measurement.objects.get().value == Decimal(41)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"measured_on": day(1), "value": "10"}, "measured_on"),  # in the future
        ({"measured_on": day(-31), "value": "10"}, "measured_on"),  # before the baseline
        ({"measured_on": day(0), "value": "10", "unit": "percent"}, "unit"),
        ({"measured_on": day(0), "value": "-1"}, "value"),
        ({"measured_on": day(0), "value": "ten"}, "value"),
        ({"measured_on": day(0), "value": 10.5}, "value"),
        ({"measured_on": day(0), "value": "1:30"}, "value"),  # a time for a count
        ({"measured_on": "yesterday", "value": "10"}, "measured_on"),
        ({"measured_on": day(0)}, "value"),
    ],
)
def test_a_bad_measurement_is_refused_naming_the_field(csm_api, metric, payload, field):
    response = csm_api.post(f"/metrics/{metric.pk}/measurements", payload)
    assert response.status_code == 422
    assert error_fields(response) == {field}
    assert _nothing_written()


def test_listing_and_deleting_measurements(csm_api, metric):
    for offset, value in ((-20, "10"), (-10, "20"), (0, "30")):
        csm_api.post(f"/metrics/{metric.pk}/measurements", {"measured_on": day(offset), "value": value})
    listed = csm_api.get(f"/metrics/{metric.pk}/measurements")
    assert [m["value"] for m in listed.json()["items"]] == ["10", "20", "30"]
    recent = csm_api.get(f"/metrics/{metric.pk}/measurements", {"since": day(-15)})
    assert [m["measured_on"] for m in recent.json()["items"]] == [day(-10), day(0)]
    assert csm_api.get(f"/metrics/{metric.pk}/measurements", {"from": day(-15)}).status_code == 422
    latest = listed.json()["items"][-1]["id"]
    assert csm_api.delete(f"/measurements/{latest}").status_code == 204
    assert csm_api.get(f"/metrics/{metric.pk}/pace").json()["current"]["value"] == "20"
    assert csm_api.delete(f"/measurements/{latest}").status_code == 404


# Bulk -------------------------------------------------------------------------------------------


def test_bulk_records_every_row_and_repaces_each_metric(csm_api, metric, race):
    response = csm_api.post(
        "/measurements/bulk",
        {"rows": [
            {"metric_id": metric.pk, "measured_on": day(-10), "value": "20"},
            {"metric_id": metric.pk, "measured_on": day(0), "value": 45, "note": "weekly export"},
            {"metric_id": race.pk, "measured_on": day(-5), "value": "19:27", "unit": "duration"},
        ]},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["count"] == 3
    assert [(m["metric_id"], m["value"]) for m in body["items"]] == [(metric.pk, "20"), (metric.pk, "45"), (race.pk, "1167")]
    assert set(Measurement.objects.values_list("source", flat=True)) == {"api"}
    race.refresh_from_db()
    metric.refresh_from_db()
    assert race.pace_status != "no_data"
    assert metric.pace_status == "ahead"


def test_bulk_is_all_or_nothing_and_lists_every_bad_row(csm_api, metric, race):
    response = csm_api.post(
        "/measurements/bulk",
        {"rows": [
            {"metric_id": metric.pk, "measured_on": day(-1), "value": "10"},  # fine
            {"metric_id": metric.pk, "measured_on": day(3), "value": "12"},  # in the future
            {"metric_id": 999_999, "measured_on": day(0), "value": "1"},  # no such metric
            {"metric_id": race.pk, "measured_on": day(0), "value": "19:27", "unit": "minutes"},  # wrong unit
            {"metric_id": metric.pk, "measured_on": day(0), "value": "lots"},  # not a number
            {"metric_id": race.pk, "measured_on": day(-2), "value": "18:44"},  # fine
            {"metric_id": metric.pk, "measured_on": day(-1), "value": "11"},  # same day as row 0
        ]},
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [e["loc"] for e in detail] == [
        ["body", "rows", 1, "measured_on"],
        ["body", "rows", 2, "metric_id"],
        ["body", "rows", 3, "unit"],
        ["body", "rows", 4, "value"],
        ["body", "rows", 6, "measured_on"],
    ]
    messages = [e["msg"] for e in detail]
    assert messages[0] == "A measurement cannot be dated in the future."
    assert messages[1] == "No metric with id 999999."
    assert messages[2] == "This metric is measured in duration (seconds), not minutes."
    assert "'lots' is not a number" in messages[3]
    assert messages[4] == "Same metric and day as row 1."
    assert _nothing_written()


def test_a_bulk_refused_only_by_the_service_writes_nothing(csm_api, metric):
    response = csm_api.post(
        "/measurements/bulk",
        {"rows": [{"metric_id": metric.pk, "measured_on": day(-2), "value": "10"},
                  {"metric_id": metric.pk, "measured_on": day(-1), "value": "-3"}]},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "validation_error", "loc": ["body", "rows", 1, "value"], "msg": "A count value cannot be below 0."}
    ]
    assert _nothing_written()


def test_a_bulk_refused_only_by_parsing_undoes_the_good_rows(csm_api, metric):
    response = csm_api.post(
        "/measurements/bulk",
        {"rows": [{"metric_id": metric.pk, "measured_on": day(-2), "value": "10"},
                  {"metric_id": metric.pk, "measured_on": day(-1), "value": "1.23456"}]},
    )
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "rows", 1, "value"]]
    assert _nothing_written()
    metric.refresh_from_db()
    assert metric.pace_status == "no_data"


def test_a_bulk_scoped_to_an_account_refuses_another_accounts_metric(csm_api, account, metric):
    foreign = SuccessMetricFactory(goal__plan=SuccessPlanFactory(account=AccountFactory()))
    response = csm_api.post(
        "/measurements/bulk",
        {"account_external_id": "acme", "rows": [
            {"metric_id": metric.pk, "measured_on": day(0), "value": "10"},
            {"metric_id": foreign.pk, "measured_on": day(0), "value": "10"},
        ]},
    )
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "rows", 1, "metric_id"]]
    assert _nothing_written()


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"rows": []}, ["rows"]),
        ({"rows": [{"metric_id": 1, "measured_on": "2025-01-01"}]}, ["rows", 0, "value"]),
        ({"rows": [{"metric_id": "one", "measured_on": "2025-01-01", "value": "1"}]}, ["rows", 0, "metric_id"]),
        ({"rows": [{"metric_id": 1, "measured_on": "2025-01-01", "value": "1", "when": "x"}]}, ["rows", 0, "when"]),
    ],
)
def test_a_malformed_bulk_is_refused_by_row_and_field(csm_api, metric, payload, loc):
    # The schema's own errors are shaped by ninja, as everywhere in the API: ["body", "payload", ...].
    response = csm_api.post("/measurements/bulk", payload)
    assert response.status_code == 422
    assert [e["loc"][2:] for e in response.json()["detail"]] == [loc]
    assert not Measurement.objects.exists()


def test_a_big_bulk_is_refused_whole(csm_api, metric):
    rows = [{"metric_id": metric.pk, "measured_on": day(-1), "value": "1"}] * 1001
    response = csm_api.post("/measurements/bulk", {"rows": rows})
    assert response.status_code == 422
    assert error_fields(response) == {"rows"}
    assert SuccessMetric.objects.get().measurements.count() == 0
