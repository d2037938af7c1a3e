"""Metrics on the pages: add and edit them with their laps, record measurements by HTMX (the seed's
race), renegotiate a target (the seed's 50% of 100 → 25% of 200), and every refusal by field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.success import services
from paceline.success.models import Measurement, MetricChange, SuccessMetric
from tests.factories import (
    AccountFactory,
    ContactFactory,
    GoalFactory,
    SuccessMetricFactory,
    SuccessPlanFactory,
)

TODAY = timezone.localdate()


def day(offset: int) -> str:
    return str(TODAY + dt.timedelta(days=offset))


@pytest.fixture
def plan(account):
    return SuccessPlanFactory(account=account, title="Season")


@pytest.fixture
def goal(plan):
    return GoalFactory(plan=plan, title="Break 19:00 at districts")


@pytest.fixture
def sponsor(account):
    return ContactFactory(account=account, name="Jane Roe")


def metric_data(**overrides) -> dict:
    data = {
        "name": "2-mile time", "unit": "duration", "direction": "lower", "baseline": "27:00",
        "baseline_date": day(-14), "target": "19:00", "target_date": day(42), "currency": "", "denominator": "",
        "source": "", "source_params": "",
        "checkpoints-TOTAL_FORMS": "3", "checkpoints-INITIAL_FORMS": "0",
        "checkpoints-MIN_NUM_FORMS": "0", "checkpoints-MAX_NUM_FORMS": "24",
        "checkpoints-0-due_on": day(7), "checkpoints-0-target": "24:00", "checkpoints-0-label": "Lap 1",
        "checkpoints-1-due_on": day(28), "checkpoints-1-target": "21:00", "checkpoints-1-label": "Lap 2",
        "checkpoints-2-due_on": "", "checkpoints-2-target": "", "checkpoints-2-label": "",
    }
    data.update(overrides)
    return data


NO_LAPS = {f"checkpoints-{i}-{f}": "" for i in range(3) for f in ("due_on", "target", "label")}


def test_a_metric_is_added_with_its_laps_typed_as_people_write_them(csm_client, plan, goal):
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/metrics/new/", metric_data())
    metric = SuccessMetric.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/#metric-{metric.pk}"
    assert (metric.unit, metric.direction, metric.baseline, metric.target) == ("duration", "lower", 1620, 1140)
    assert [(c.target, c.label) for c in metric.checkpoints.all()] == [(Decimal(1440), "Lap 1"), (Decimal(1260), "Lap 2")]
    html = csm_client.get(f"/plans/{plan.pk}/").content.decode()
    assert "27:00" in html and "19:00" in html and "Lap 2" in html
    assert "−3:00" in html  # the first lap's required split: 27:00 down to 24:00


@pytest.mark.parametrize(("overrides", "field", "says"), [
    ({"target": "29:00"}, "target", "Lower is better, so the target must not be above the baseline"),
    ({"target_date": day(-20)}, "target_date", "The target date must be after the baseline date"),
    ({"baseline": "27 minutes"}, "baseline", "is not a number"),
    ({"unit": "currency", "baseline": "100", "target": "200", "direction": "higher"}, "currency", "needs its currency"),
    ({"unit": "count", "baseline": "1", "target": "5", "direction": "higher", "denominator": "100"}, "denominator",
     "Only a percent metric has a denominator"),
    ({"source_params": "{days: 3}"}, "source_params", "Not JSON"),
])
def test_a_bad_metric_is_refused_by_field_and_nothing_is_saved(csm_client, plan, goal, overrides, field, says):
    data = metric_data(**NO_LAPS, **overrides)
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/metrics/new/", data)
    assert response.status_code == 400
    assert says in " ".join(response.context["form"].errors[field]), response.context["form"].errors
    assert not SuccessMetric.objects.exists()


def test_a_checkpoint_going_backwards_is_refused_next_to_the_laps(csm_client, plan, goal):
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/metrics/new/", metric_data(**{
        "checkpoints-1-target": "25:00"}))
    assert response.status_code == 400
    errors = " ".join(response.context["formset"].non_form_errors())
    assert "goes backwards" in errors
    assert "goes backwards" in response.content.decode()
    assert not SuccessMetric.objects.exists()


def test_a_checkpoint_row_that_does_not_parse_names_its_row(csm_client, plan, goal):
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/metrics/new/", metric_data(**{
        "checkpoints-1-target": "twenty"}))
    assert response.status_code == 400
    rows = response.context["formset"].forms
    assert "is not a number" in rows[1].errors["target"][0] and not rows[0].errors
    assert 'name="checkpoints-1-target"' in response.content.decode()
    assert not SuccessMetric.objects.exists()


def test_editing_a_proposed_metric_changes_its_target_and_laps_together(csm_client, actor, plan, goal):
    metric = services.metric_create(actor=actor, goal=goal, name="2-mile time", unit="duration", direction="lower",
                                    baseline=Decimal(1620), baseline_date=TODAY - dt.timedelta(days=14),
                                    target=Decimal(1140), target_date=TODAY + dt.timedelta(days=42),
                                    checkpoints=[(TODAY + dt.timedelta(days=7), Decimal(1440), "Lap 1")])
    page = csm_client.get(f"/plans/{plan.pk}/metrics/{metric.pk}/edit/").content.decode()
    assert 'value="27:00"' in page and 'value="24:00"' in page  # stored seconds shown as typed
    # A tighter target and a lap beyond the old target: only valid together.
    response = csm_client.post(f"/plans/{plan.pk}/metrics/{metric.pk}/edit/", metric_data(**{
        "target": "18:00", "checkpoints-0-target": "24:00", "checkpoints-1-target": "18:30",
        "checkpoints-INITIAL_FORMS": "1"}))
    assert response.status_code == 302, response.context["form"].errors
    metric.refresh_from_db()
    assert metric.target == 1080
    assert [c.target for c in metric.checkpoints.all()] == [Decimal(1440), Decimal(1110)]


def test_an_agreed_target_is_not_edited_but_renegotiated(csm_client, actor, plan, goal, sponsor):
    metric = SuccessMetricFactory(goal=goal, name="Trained", target=Decimal(100))
    services.goal_agree(actor=actor, goal=goal, contact=sponsor)
    response = csm_client.post(f"/plans/{plan.pk}/metrics/{metric.pk}/edit/", {
        "name": "Trained", "unit": "count", "direction": "higher", "baseline": "0",
        "baseline_date": str(metric.baseline_date), "target": "120", "target_date": str(metric.target_date),
        "checkpoints-TOTAL_FORMS": "0", "checkpoints-INITIAL_FORMS": "0"})
    assert response.status_code == 400
    assert "renegotiating" in response.context["form"].errors["target"][0]
    assert f'href="/plans/{plan.pk}/metrics/{metric.pk}/renegotiate/"' in response.content.decode()
    metric.refresh_from_db()
    assert metric.target == 100


def htmx_record(client, plan, metric, value: str, on: str, note: str = ""):
    prefix = f"m{metric.pk}"
    return client.post(f"/plans/{plan.pk}/metrics/{metric.pk}/measurements/",
                       {f"{prefix}-value": value, f"{prefix}-measured_on": on, f"{prefix}-note": note},
                       HTTP_HX_REQUEST="true")


@pytest.fixture
def race(actor, plan, goal):
    """The seed's race: 2-mile time, 27:00 at the season's start, 19:00 wanted by districts."""
    return services.metric_create(
        actor=actor, goal=goal, name="2-mile time", unit="duration", direction="lower",
        baseline=Decimal(1620), baseline_date=TODAY - dt.timedelta(days=14),
        target=Decimal(1140), target_date=TODAY + dt.timedelta(days=42),
    )


def test_the_seeds_race_on_a_page_goes_ahead_then_hit(csm_client, plan, goal, race):
    first = htmx_record(csm_client, plan, race, "21:00", day(-7), "first meet")
    assert first.status_code == 200
    html = first.content.decode()
    assert 'data-status="ahead">Ahead<' in html
    assert 'class="metric-current">21:00' in html
    assert "a week" in html  # required and actual rates per week
    assert "1 of 1 goal on pace" in html  # the plan's count, swapped out of band
    second = htmx_record(csm_client, plan, race, "18:54", day(0))
    html = second.content.decode()
    assert 'data-status="hit">Hit<' in html
    assert "18:54 on" in html and "meets the target of 19:00" in html
    assert [m.value for m in Measurement.objects.order_by("measured_on")] == [Decimal(1260), Decimal(1134)]
    race.refresh_from_db()
    assert race.pace_status == "hit"


def test_an_htmx_measurement_gets_the_card_and_the_plans_pace_out_of_band(csm_client, plan, goal, race):
    response = htmx_record(csm_client, plan, race, "21:00", day(-7))
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section class="metric-card" id="metric-{race.pk}"')
    assert "<html" not in html
    assert '<div id="plan-pace" class="plan-pace" hx-swap-oob="true">' in html
    assert f'<span id="goal-{goal.pk}-pace" hx-swap-oob="true">' in html
    assert 'type="application/vnd.vegalite+json"' in html  # the chart, drawn again with the new point
    assert '"value":1260' in html
    assert "HX-Request" in response["Vary"]


def test_without_htmx_a_measurement_redirects_to_the_metric_on_the_plan(csm_client, plan, race):
    response = csm_client.post(f"/plans/{plan.pk}/metrics/{race.pk}/measurements/",
                               {f"m{race.pk}-value": "21:00", f"m{race.pk}-measured_on": day(-7)})
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/#metric-{race.pk}"
    assert Measurement.objects.get().value == 1260


def test_the_metric_url_answers_a_page_or_its_card(viewer_client, plan, race):
    page = viewer_client.get(f"/plans/{plan.pk}/metrics/{race.pk}/")
    card = viewer_client.get(f"/plans/{plan.pk}/metrics/{race.pk}/", HTTP_HX_REQUEST="true")
    assert "<html" in page.content.decode() and "<html" not in card.content.decode()
    assert f'id="metric-{race.pk}"' in card.content.decode()
    assert "HX-Request" in page["Vary"] and "HX-Request" in card["Vary"]
    assert "Record" not in card.content.decode()  # a viewer gets no form


@pytest.mark.parametrize(("value", "on", "field", "says"), [
    ("19:xx", day(0), "value", "is not a duration"),
    ("", day(0), "value", "required"),
    ("21:00", day(1), "measured_on", "cannot be dated in the future"),
    ("21:00", day(-30), "measured_on", "before the baseline"),
    ("21:00", "yesterday", "measured_on", "Enter a valid date"),
])
def test_a_bad_measurement_is_refused_by_field_in_the_card(csm_client, plan, race, value, on, field, says):
    response = htmx_record(csm_client, plan, race, value, on)
    assert response.status_code == 400
    form = response.context["card"].form
    assert says in " ".join(form.errors[field])
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section class="metric-card" id="metric-{race.pk}"')
    assert says in html
    assert not Measurement.objects.exists()


def test_a_bad_measurement_without_htmx_shows_the_metric_page_with_the_error(csm_client, plan, race):
    response = csm_client.post(f"/plans/{plan.pk}/metrics/{race.pk}/measurements/",
                               {f"m{race.pk}-value": "soon", f"m{race.pk}-measured_on": day(0)})
    assert response.status_code == 400
    assert "<html" in response.content.decode() and "is not a number" in response.content.decode()
    assert not Measurement.objects.exists()


def test_deleting_a_measurement_redraws_the_card(csm_client, actor, plan, race):
    services.measurement_record(actor=actor, metric=race, measured_on=TODAY - dt.timedelta(days=7), value=Decimal(1260))
    kept = services.measurement_record(actor=actor, metric=race, measured_on=TODAY, value=Decimal(1134))
    response = csm_client.post(f"/plans/{plan.pk}/metrics/{race.pk}/measurements/{kept.pk}/delete/",
                               HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'data-status="ahead"' in html
    assert list(Measurement.objects.values_list("value", flat=True)) == [Decimal(1260)]


def test_the_seeds_renegotiation_shows_that_the_absolute_figure_held(csm_client, actor, plan, goal, sponsor):
    metric = SuccessMetricFactory(goal=goal, name="Team trained", unit="percent", baseline=Decimal(0),
                                  target=Decimal(50), denominator=Decimal(100))
    services.goal_agree(actor=actor, goal=goal, contact=sponsor)
    services.goal_activate(actor=actor, goal=goal)
    form_page = csm_client.get(f"/plans/{plan.pk}/metrics/{metric.pk}/renegotiate/")
    assert form_page.status_code == 200 and "New denominator" in form_page.content.decode()
    response = csm_client.post(f"/plans/{plan.pk}/metrics/{metric.pk}/renegotiate/", {
        "new_target": "25%", "new_denominator": "200", "new_target_date": "",
        "reason": "The team doubled to 200 after the merger.",
        "equivalence": "The same 50 people trained is the same success.",
        "agreed_by_contact": sponsor.pk, "changed_on": day(0)})
    assert response.status_code == 302
    change = MetricChange.objects.get()
    assert (change.old_absolute, change.new_absolute, change.agreed_by_user.username) == (50, 50, "carl")
    html = csm_client.get(f"/plans/{plan.pk}/").content.decode()
    assert "50% of 100 = 50 → 25% of 200 = 50" in html
    assert 'class="badge good absolute-held">the absolute figure held<' in html
    assert "The team doubled to 200 after the merger." in html
    assert "Agreed by Jane Roe (customer) and Carl Csm (us)" in html
    assert "25% <span class=\"small\">(50 of 200)</span>" in html


def test_a_renegotiation_names_its_missing_fields_and_a_contact_of_another_account(csm_client, actor, plan, goal,
                                                                                  sponsor):
    metric = SuccessMetricFactory(goal=goal, target=Decimal(100))
    services.goal_agree(actor=actor, goal=goal, contact=sponsor)
    stranger = ContactFactory(account=AccountFactory(name="Other Co"))
    response = csm_client.post(f"/plans/{plan.pk}/metrics/{metric.pk}/renegotiate/", {
        "new_target": "90", "reason": "", "agreed_by_contact": stranger.pk, "changed_on": day(0)})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["agreed_by_contact"] == ["Choose a contact of this account."]
    assert "required" in errors["reason"][0]
    assert not MetricChange.objects.exists()
    metric.refresh_from_db()
    assert metric.target == 100


def test_an_unreachable_renegotiated_target_is_named(csm_client, actor, plan, goal, sponsor):
    metric = SuccessMetricFactory(goal=goal, baseline=Decimal(10), target=Decimal(100))
    services.goal_agree(actor=actor, goal=goal, contact=sponsor)
    response = csm_client.post(f"/plans/{plan.pk}/metrics/{metric.pk}/renegotiate/", {
        "new_target": "5", "reason": "Smaller team", "agreed_by_contact": sponsor.pk, "changed_on": day(0)})
    assert response.status_code == 400
    assert "must not be below the baseline" in response.context["form"].errors["new_target"][0]
    assert not MetricChange.objects.exists()


def test_a_proposed_goals_metric_is_not_renegotiated(csm_client, plan, goal):
    metric = SuccessMetricFactory(goal=goal)
    response = csm_client.post(f"/plans/{plan.pk}/metrics/{metric.pk}/renegotiate/", {"new_target": "90"})
    assert response.status_code == 400
    assert "only the target of an agreed or active goal is renegotiated" in response.content.decode()
    assert not MetricChange.objects.exists()


# CSV upload ---------------------------------------------------------------------------------------


def upload(client, plan, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/plans/{plan.pk}/measurements/upload/",
                       {"file": SimpleUploadedFile("m.csv", text.encode(), content_type="text/csv")})


def test_a_csv_of_measurements_is_recorded_by_metric_name_or_id(csm_client, plan, race, goal):
    trained = SuccessMetricFactory(goal=goal, name="Users trained")
    text = (f"metric,date,value,note\n2-mile time,{day(-7)},21:00,first meet\n"
            f"{trained.pk},{day(-2)},40,\n2-MILE TIME,{day(0)},18:54,districts qualifier\n")
    response = upload(csm_client, plan, text)
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    rows = list(Measurement.objects.order_by("metric_id", "measured_on").values_list("metric_id", "value", "source"))
    assert rows == [(race.pk, 1260, "csv"), (race.pk, 1134, "csv"), (trained.pk, 40, "csv")]
    race.refresh_from_db()
    assert race.pace_status == "hit"


def test_a_csv_with_one_bad_row_changes_nothing_and_names_its_row_and_column(csm_client, plan, race):
    text = f"metric,date,value\n2-mile time,{day(-7)},21:00\n2-mile time,{day(-3)},twenty\n2-mile time,{day(0)},18:54\n"
    response = upload(csm_client, plan, text)
    assert response.status_code == 400
    assert len(response.context["problems"]) == 1
    row, column, reason = response.context["problems"][0]
    assert (row, column) == (3, "value") and "twenty" in reason
    html = response.content.decode()
    assert "Nothing was recorded." in html and "<td class=\"num\">3</td><td>value</td>" in html
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(("line", "column", "says"), [
    ("No such metric,{today},3", "metric", "This plan has no metric 'No such metric'"),
    ("2-mile time,{tomorrow},21:00", "date", "cannot be dated in the future"),
    ("2-mile time,31/02/2026,21:00", "date", "is not a real date"),
    ("2-mile time,,21:00", "date", "Give the date"),
    ("2-mile time,{today},1234.123456", "value", "no more than 4 decimal places"),
    ("2-mile time,{today},-3", "value", "cannot be below 0"),
])
def test_each_kind_of_bad_row_is_named(csm_client, plan, race, line, column, says):
    text = "metric,date,value\n" + line.format(today=day(0), tomorrow=day(1)) + "\n"
    response = upload(csm_client, plan, text)
    assert response.status_code == 400
    assert [(row, col) for row, col, _ in response.context["problems"]] == [(2, column)]
    assert says in response.context["problems"][0][2]
    assert not Measurement.objects.exists()


def test_a_metric_of_another_plan_cannot_be_uploaded_into_this_one(csm_client, plan, race):
    other = SuccessMetricFactory(goal__plan=SuccessPlanFactory(account=AccountFactory(name="Other Co")))
    response = upload(csm_client, plan, f"metric,date,value\n{other.pk},{day(0)},3\n")
    assert response.status_code == 400
    assert response.context["problems"][0][:2] == (2, "metric")
    assert not Measurement.objects.exists()


def test_a_file_without_the_needed_columns_is_refused_by_name(csm_client, plan, race):
    response = upload(csm_client, plan, "when,how much\n2026-01-01,3\n")
    assert response.status_code == 400
    assert "needs the columns metric, date, value" in response.context["form"].errors["file"][0]


def test_a_computed_source_must_give_the_metrics_unit(csm_client, plan, goal):
    response = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/metrics/new/", metric_data(**NO_LAPS, **{
        "unit": "percent", "direction": "higher", "baseline": "0", "target": "80",
        "source": "customers.active_contacts"}))
    assert response.status_code == 400
    assert "gives a count" in response.context["form"].errors["source"][0]
    ok = csm_client.post(f"/plans/{plan.pk}/goals/{goal.pk}/metrics/new/", metric_data(**NO_LAPS, **{
        "name": "People in touch", "unit": "count", "direction": "higher", "baseline": "2", "target": "8",
        "source": "customers.active_contacts", "source_params": "{}"}))
    assert ok.status_code == 302
    assert SuccessMetric.objects.get().source == "customers.active_contacts"


def test_a_measurement_from_the_page_is_recorded_by_the_user_and_audited_as_web(csm_client, csm, plan, race):
    htmx_record(csm_client, plan, race, "21:00", day(-7))
    measurement = Measurement.objects.get()
    assert (measurement.recorded_by, measurement.source) == (csm, "manual")
    entry = AuditEntry.objects.get(target_type="success.measurement")
    assert (entry.actor, entry.via, entry.account_id) == (csm, "web", plan.account_id)
