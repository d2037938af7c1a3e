"""Key features: everyone signed in reads them, CS leaders define them; the service's refusals
land on the field they name and nothing is stored."""

from __future__ import annotations

import pytest

from paceline.core.models import AuditEntry
from paceline.usage.models import KeyFeature
from tests.usage.factories import KeyFeatureFactory

pytestmark = pytest.mark.django_db

GOOD = {"name": "Reports", "key": "reports", "event_names": "Report Created\n\n  Report Exported \npage:Reports\n",
        "description": "Builds and shares reports."}


@pytest.fixture
def feature(db):
    return KeyFeatureFactory(key="alerts", name="Alerts", event_names=["Alert Created"])


def errors_of(response, field: str) -> str:
    """The HTML of one field's block of the form (label, errors, widget)."""
    html = response.content.decode()
    block = html[html.index(f'class="field field-{field}'):]
    end = block.find('class="field field-', 1)
    return block if end == -1 else block[:end]


# Reading --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader_client", "csm_client", "viewer_client"])
def test_everyone_signed_in_reads_the_list(request, persona, feature):
    html = request.getfixturevalue(persona).get("/usage/features/").content.decode()
    assert "<strong>Alerts</strong>" in html and "<code>alerts</code>" in html and "<code>Alert Created</code>" in html


def test_only_a_leader_is_offered_to_change_them(leader_client, csm_client, viewer_client, feature):
    assert f'href="/usage/features/{feature.pk}/edit/"' in leader_client.get("/usage/features/").content.decode()
    assert 'href="/usage/features/new/"' in leader_client.get("/usage/features/").content.decode()
    for client in (csm_client, viewer_client):
        html = client.get("/usage/features/").content.decode()
        assert "/edit/" not in html and 'href="/usage/features/new/"' not in html


@pytest.mark.parametrize("path", ["/usage/features/", "/usage/features/new/", "/usage/features/{f}/edit/",
                                  "/usage/features/{f}/delete/"])
def test_anonymous_is_sent_to_log_in(anon_client, feature, path):
    for response in (anon_client.get(path.format(f=feature.pk)), anon_client.post(path.format(f=feature.pk), GOOD)):
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


# Who may change them -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["csm_client", "viewer_client"])
@pytest.mark.parametrize("path", ["/usage/features/new/", "/usage/features/{f}/edit/", "/usage/features/{f}/delete/"])
def test_csms_and_viewers_are_refused_every_change_and_change_nothing(request, persona, feature, path):
    client = request.getfixturevalue(persona)
    assert client.get(path.format(f=feature.pk)).status_code == 403
    assert client.post(path.format(f=feature.pk), GOOD).status_code == 403
    assert list(KeyFeature.objects.values_list("key", "name", "event_names")) == [("alerts", "Alerts", ["Alert Created"])]


def test_a_leader_adds_one_with_one_event_name_a_line(leader_client):
    assert leader_client.get("/usage/features/new/").status_code == 200
    response = leader_client.post("/usage/features/new/", GOOD)
    assert response.status_code == 302 and response["Location"] == "/usage/features/"
    feature = KeyFeature.objects.get()
    assert (feature.key, feature.name, feature.description) == ("reports", "Reports", "Builds and shares reports.")
    assert feature.event_names == ["Report Created", "Report Exported", "page:Reports"]
    assert AuditEntry.objects.filter(target_type="usage.keyfeature", action="create").exists()


@pytest.mark.parametrize(("field", "change", "message"), [
    ("name", {"name": "  "}, "give the feature a name"),
    ("key", {"key": "Not A Key!"}, "use lower-case letters"),
    ("key", {"key": ""}, "use lower-case letters"),
    ("event_names", {"event_names": " \n \n"}, "list at least one event name"),
])
def test_bad_input_is_shown_on_its_field_and_stores_nothing(leader_client, field, change, message):
    response = leader_client.post("/usage/features/new/", {**GOOD, **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert f'class="field field-{field} has-error' in html
    assert message in errors_of(response, field)
    assert not KeyFeature.objects.exists()


def test_a_key_already_used_is_refused_on_the_key(leader_client, feature):
    response = leader_client.post("/usage/features/new/", {**GOOD, "key": "alerts"})
    assert response.status_code == 400
    assert "already exists" in errors_of(response, "key")
    assert KeyFeature.objects.count() == 1


def test_a_leader_edits_name_events_and_description_but_not_the_key(leader_client, feature):
    form = leader_client.get(f"/usage/features/{feature.pk}/edit/").content.decode()
    assert "Alert Created</textarea>" in form and "disabled" in form
    response = leader_client.post(f"/usage/features/{feature.pk}/edit/", {
        "name": "Alerting", "key": "hijacked", "event_names": "Alert Created\nAlert Muted", "description": "d"})
    assert response.status_code == 302
    feature.refresh_from_db()
    assert (feature.key, feature.name, feature.event_names, feature.description) == (
        "alerts", "Alerting", ["Alert Created", "Alert Muted"], "d")


def test_an_edit_without_event_names_is_refused_and_changes_nothing(leader_client, feature):
    response = leader_client.post(f"/usage/features/{feature.pk}/edit/", {"name": "Alerting", "event_names": ""})
    assert response.status_code == 400
    assert "list at least one event name" in errors_of(response, "event_names")
    feature.refresh_from_db()
    assert (feature.name, feature.event_names) == ("Alerts", ["Alert Created"])


def test_a_leader_deletes_one_after_confirming(leader_client, feature):
    assert "Delete “Alerts”?" in leader_client.get(f"/usage/features/{feature.pk}/delete/").content.decode()
    response = leader_client.post(f"/usage/features/{feature.pk}/delete/")
    assert response.status_code == 302
    assert not KeyFeature.objects.exists()


def test_an_unknown_feature_is_not_found(leader_client):
    assert leader_client.get("/usage/features/999/edit/").status_code == 404
    assert leader_client.post("/usage/features/999/delete/").status_code == 404
