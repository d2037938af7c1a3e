"""Upper apps add panels and book columns through the registry; customers renders them."""

import pytest
from django.db.models import Value
from django.db.models.functions import Concat

from paceline.customers import extensions


@pytest.fixture
def registered(tmp_path, settings):
    (tmp_path / "panel.html").write_text("<h2>{{ panel.heading }}</h2><p>{{ account.name }} panel</p>")
    (tmp_path / "cell.html").write_text("<span class='shout'>{{ account.shout }}</span>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    extensions.register_account_panel(
        extensions.AccountPanel(key="probe", title="Probe", template="panel.html",
                                context=lambda request, account: {"heading": f"Hello {request.user.username}"})
    )
    extensions.register_book_column(
        extensions.BookColumn(key="probe", label="Shout", cell_template="cell.html",
                              annotate=lambda qs: qs.annotate(shout=Concat("name", Value("!"))))
    )
    yield
    extensions._panels.pop("probe")
    extensions._columns.pop("probe")


def test_a_registered_panel_is_on_the_account_page(registered, csm_client, account):
    html = csm_client.get(f"/accounts/{account.pk}/").content.decode()
    assert 'id="panel-probe"' in html
    assert "<h2>Hello carl</h2><p>Acme Corp panel</p>" in html


def test_a_registered_column_is_in_the_book(registered, csm_client, account):
    html = csm_client.get("/book/").content.decode()
    assert "<th>Shout</th>" in html
    assert "<span class='shout'>Acme Corp!</span>" in html


def test_without_registrations_nothing_is_added(csm_client, account):
    html = csm_client.get(f"/accounts/{account.pk}/").content.decode()
    assert 'id="panel-probe"' not in html
