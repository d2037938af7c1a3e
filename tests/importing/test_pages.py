"""The import page: personas, the upload → check → apply flow, and runs kept private."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from paceline.core.models import AuditEntry
from paceline.customers.models import Account, ImportRun, ImportRunStatus

GOOD = b"Account ID,Account Name,Type\nA1,Acme One,Enterprise\nA2,Acme Two,SMB\n"
BAD = b"Account ID,Account Name,Segment\nA1,Acme One,Enterprise\nA2,,SMB\nA3,Acme Three,Galactic\n"


def upload(client, data, *, kind="accounts", name="accounts.csv", **extra):
    return client.post(reverse("importing:upload"), {
        "kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv"), "encoding": "utf-8", **extra,
    })


@pytest.fixture
def my_run(csm_client):
    response = upload(csm_client, BAD)
    assert response.status_code == 302
    return ImportRun.objects.get()


def test_anonymous_is_sent_to_log_in(anon_client):
    response = anon_client.get(reverse("importing:upload"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_viewer_is_refused(viewer_client):
    assert viewer_client.get(reverse("importing:upload")).status_code == 403
    assert upload(viewer_client, GOOD).status_code == 403
    assert not ImportRun.objects.exists()


def test_a_viewer_cannot_apply_even_their_own_run(viewer, viewer_client, my_run):
    my_run.user = viewer
    my_run.save()
    assert viewer_client.post(reverse("importing:apply", args=[my_run.pk])).status_code == 403


def test_the_upload_page_lists_the_kinds_and_their_fields(csm_client):
    page = csm_client.get(reverse("importing:upload")).content.decode()
    assert "<summary>Contacts</summary>" in page
    assert "<code>reports_to_external_id</code>" in page


def test_upload_shows_the_detected_mapping_and_the_dry_run_report(csm, csm_client, my_run):
    assert (my_run.user, my_run.filename, my_run.status) == (csm, "accounts.csv", ImportRunStatus.CHECKED)
    assert not Account.objects.exists()
    page = csm_client.get(reverse("importing:run", args=[my_run.pk])).content.decode()
    assert "Dry run of 3 accounts rows: 1 to create, 0 to update, 0 unchanged, 2 with errors." in page
    assert '<td class="row-no">3</td><td>Account Name</td><td>A value is required.</td>' in page
    assert ("<td class=\"row-no\">4</td><td>Segment</td><td>&#x27;Galactic&#x27; is not one of: "
            "Enterprise, Mid-market, SMB.</td>") in page
    assert '<option value="segment" selected>' in page


def test_applying_a_file_with_errors_changes_nothing(csm_client, my_run):
    response = csm_client.post(reverse("importing:apply", args=[my_run.pk]), follow=True)
    assert "2 of 3 rows have errors, so nothing was changed" in response.content.decode()
    assert not Account.objects.exists()
    my_run.refresh_from_db()
    assert my_run.status == ImportRunStatus.CHECKED


def test_the_partial_box_imports_the_valid_rows_and_links_them(csm, csm_client, my_run):
    response = csm_client.post(reverse("importing:apply", args=[my_run.pk]), {"partial": "on"}, follow=True)
    page = response.content.decode()
    acme = Account.objects.get()
    assert acme.external_id == "A1"
    assert f'<a href="{reverse("customers:account", args=[acme.pk])}">Acme One</a>' in page
    assert "Imported 1 of 3 accounts rows (1 created, 0 updated, 0 unchanged); 2 rows with errors were skipped." in page
    my_run.refresh_from_db()
    assert (my_run.status, my_run.content) == (ImportRunStatus.APPLIED, "")
    assert AuditEntry.objects.get(action="create").actor == csm


def test_a_run_cannot_be_applied_twice(csm_client):
    upload(csm_client, GOOD)
    run = ImportRun.objects.get()
    csm_client.post(reverse("importing:apply", args=[run.pk]))
    response = csm_client.post(reverse("importing:apply", args=[run.pk]), follow=True)
    assert "already applied" in response.content.decode()
    assert Account.objects.count() == 2


def test_the_mapping_can_be_changed_and_is_checked_again(csm_client):
    upload(csm_client, GOOD)
    run = ImportRun.objects.get()
    response = csm_client.post(reverse("importing:remap", args=[run.pk]),
                               {"col0": "external_id", "col1": "name", "col2": "segment"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.choices == {"Account ID": "external_id", "Account Name": "name", "Type": "segment"}
    csm_client.post(reverse("importing:apply", args=[run.pk]))
    assert dict(Account.objects.values_list("external_id", "segment")) == {"A1": "enterprise", "A2": "smb"}


def test_a_mapping_with_one_field_twice_is_refused(csm_client, my_run):
    response = csm_client.post(reverse("importing:remap", args=[my_run.pk]),
                               {"col0": "external_id", "col1": "name", "col2": "name"})
    assert response.status_code == 400
    assert "Columns &#x27;Account Name&#x27;, &#x27;Segment&#x27; are all mapped to name; choose one." in response.content.decode()


def test_another_user_can_neither_see_nor_change_nor_apply_my_run(other_csm_client, leader_client, my_run):
    for client in (other_csm_client, leader_client):
        assert client.get(reverse("importing:run", args=[my_run.pk])).status_code == 404
        assert client.post(reverse("importing:apply", args=[my_run.pk]), {"partial": "on"}).status_code == 404
        assert client.post(reverse("importing:remap", args=[my_run.pk]), {"col0": "external_id"}).status_code == 404
    assert not Account.objects.exists()
    assert "accounts.csv" not in other_csm_client.get(reverse("importing:upload")).content.decode()


def test_a_file_in_the_wrong_encoding_is_refused_on_the_form(csm_client):
    response = upload(csm_client, "Account ID,Account Name\nA1,Café\n".encode("latin-1"))
    assert response.status_code == 400
    assert "Line 2 is not valid UTF-8" in response.content.decode()
    assert not ImportRun.objects.exists()
    upload(csm_client, "Account ID,Account Name\nA1,Café\n".encode("latin-1"), encoding="latin-1")
    assert ImportRun.objects.get().content.endswith("Café\n")


def test_an_excel_bom_is_accepted(csm_client):
    upload(csm_client, b"\xef\xbb\xbf" + GOOD)
    assert ImportRun.objects.get().report["mapped"][0] == ["Account ID", "external_id"]


def test_a_file_over_the_upload_limit_is_refused(csm_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = upload(csm_client, GOOD + b"A9,Big,\n" * 200)
    assert response.status_code == 400
    assert "the limit is 1.0\xa0KB" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_an_empty_file_is_refused(csm_client):
    response = upload(csm_client, b"")
    assert response.status_code == 400
    assert not ImportRun.objects.exists()


def test_missing_columns_are_named_on_the_run_page(csm_client):
    upload(csm_client, b"Company,Website\nAcme,acme.com\n")
    run = ImportRun.objects.get()
    page = csm_client.get(reverse("importing:run", args=[run.pk])).content.decode()
    assert "Missing required column for accounts: external_id" in page
    assert "Missing required column for accounts: name" not in page


def test_a_file_with_more_rows_than_the_page_takes_points_to_the_command(csm_client, monkeypatch):
    monkeypatch.setattr("paceline.customers.importing.forms.PAGE_MAX_ROWS", 1)
    response = upload(csm_client, GOOD)
    assert response.status_code == 400
    assert "The file has 2 rows; this page imports up to 1 at a time." in response.content.decode()
    assert not ImportRun.objects.exists()
