"""Relationship milestones: the services, the account panel and its pages, the outcomes page, and
who may do what (viewers read; CSMs and leaders write; anonymous visitors log in first)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paceline.core.models import ActivityEvent, AuditEntry
from paceline.surveys import milestones
from paceline.surveys.milestones import (
    milestone_create,
    milestone_delete,
    milestone_update,
    outcome_counts,
    tabulate,
)
from paceline.surveys.models import MilestoneKind, RelationshipMilestone
from paceline.users.models import Role
from tests.factories import AccountFactory, ContactFactory, UserFactory

TODAY = timezone.localdate()


@pytest.fixture
def sponsor(account):
    return ContactFactory(account=account, name="Jane Roe")


@pytest.fixture
def milestone(account, sponsor, csm):
    return RelationshipMilestone.objects.create(
        account=account, kind=MilestoneKind.REFERENCE, occurred_on=TODAY - dt.timedelta(days=3),
        contact=sponsor, credited_to=csm, note="Took a call with a prospect in logistics.",
    )


# Services ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_credits_the_owner_by_default_audits_and_emits(account, actor, sponsor, csm):
    m = milestone_create(actor=actor, account=account, kind=MilestoneKind.CASE_STUDY,
                         occurred_on=TODAY, contact=sponsor, note="  Published on the website. ")
    assert m.credited_to == csm and m.note == "Published on the website."
    entry = AuditEntry.objects.get(target_type="surveys.relationshipmilestone", action="create")
    assert entry.account_id == account.pk and entry.after["kind"] == "case_study"
    event = ActivityEvent.objects.get(kind="relationship.milestone")
    assert event.account_id == account.pk
    assert event.payload == {"action": "created", "kind": "case_study", "occurred_on": TODAY.isoformat(),
                             "credited_to": csm.pk, "contact": sponsor.pk}


@pytest.mark.django_db
def test_update_records_only_what_changed_and_delete_leaves_a_trace(milestone, actor, other_csm):
    milestone_update(actor=actor, milestone=milestone, credited_to=other_csm)
    milestone_update(actor=actor, milestone=milestone, credited_to=other_csm)
    updates = AuditEntry.objects.filter(target_type="surveys.relationshipmilestone", action="update")
    assert updates.count() == 1 and updates.get().after == {"credited_to_id": other_csm.pk}
    assert ActivityEvent.objects.filter(kind="relationship.milestone", payload__action="updated").count() == 1
    milestone_delete(actor=actor, milestone=milestone)
    assert not RelationshipMilestone.objects.exists()
    assert AuditEntry.objects.filter(target_type="surveys.relationshipmilestone", action="delete").exists()
    assert ActivityEvent.objects.filter(kind="relationship.milestone", payload__action="deleted").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "field"), [
    ({"occurred_on": TODAY + dt.timedelta(days=1)}, "occurred_on"),
    ({"kind": "award"}, "kind"),
    ({"contact": "other"}, "contact"),
    ({"credited_to": "viewer"}, "credited_to"),
])
def test_create_refuses_bad_input_by_field_and_writes_nothing(account, actor, viewer, fields, field):
    if fields.get("contact") == "other":
        fields = {"contact": ContactFactory(account=AccountFactory())}
    if fields.get("credited_to") == "viewer":
        fields = {"credited_to": viewer}
    data = {"kind": MilestoneKind.REVIEW, "occurred_on": TODAY, **fields}
    with pytest.raises(ValidationError) as error:
        milestone_create(actor=actor, account=account, **data)
    assert field in error.value.message_dict
    assert not RelationshipMilestone.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_update_refuses_a_field_it_does_not_own(milestone, actor):
    with pytest.raises(ValidationError) as error:
        milestone_update(actor=actor, milestone=milestone, account=AccountFactory())
    assert "account" in error.value.message_dict


# Counting per CSM ----------------------------------------------------------------------------------


def test_tabulate_gives_every_csm_a_row_and_puts_the_uncredited_last():
    rows = tabulate([(1, "reference", 2), (None, "review", 1), (1, "review", 1), (3, "case_study", 4)],
                    {1: "Ann", 2: "Bob", 3: "Cid"})
    assert [(r.name, r.total) for r in rows] == [("Cid", 4), ("Ann", 3), ("Bob", 0), ("Not credited", 1)]
    assert rows[1].cells() == [2, 0, 1, 0, 0]


@pytest.mark.django_db
def test_outcome_counts_per_csm_and_kind_within_the_period(account, csm, other_csm, leader, viewer):
    other = AccountFactory(owner=other_csm)
    for acc, kind, days, who in [
        (account, MilestoneKind.REFERENCE, 10, csm), (account, MilestoneKind.REFERENCE, 40, csm),
        (account, MilestoneKind.EXECUTIVE_ACCESS, 20, csm), (other, MilestoneKind.REVIEW, 5, other_csm),
        (other, MilestoneKind.BUDGET_PLANNING, 400, other_csm), (other, MilestoneKind.CASE_STUDY, 6, leader),
        (other, MilestoneKind.REVIEW, 7, None),
    ]:
        RelationshipMilestone.objects.create(account=acc, kind=kind, occurred_on=TODAY - dt.timedelta(days=days),
                                             credited_to=who)
    with CaptureQueriesContext(connection) as queries:
        counts = outcome_counts(start=TODAY - dt.timedelta(days=365), end=TODAY)
    assert len(queries) == 3
    by_name = {r.name: r for r in counts.rows}
    assert by_name[csm.get_full_name()].counts == {"reference": 2, "executive_access": 1}
    assert by_name[other_csm.get_full_name()].counts == {"review": 1}  # the budget seat is older than the period
    assert by_name[leader.get_full_name()].counts == {"case_study": 1}
    assert by_name["Not credited"].counts == {"review": 1}
    assert viewer.get_full_name() not in by_name
    assert counts.total == 6 and counts.per_kind == [2, 1, 2, 1, 0]
    assert sum(n for _, _, n in counts.months) == 6
    spec = milestones.outcomes_chart(counts)
    assert {v["csm"] for v in spec["data"]["values"]} == {csm.get_full_name(), other_csm.get_full_name(),
                                                          leader.get_full_name(), "Not credited"}


# Pages ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_account_page_shows_the_milestones_with_links_for_writers_only(account, milestone, csm_client, viewer_client):
    page = csm_client.get(f"/accounts/{account.pk}/")
    html = page.content.decode()
    assert 'id="panel-milestones"' in html and "Took a call with a prospect" in html
    assert f"/accounts/{account.pk}/milestones/{milestone.pk}/edit/" in html
    assert f"/accounts/{account.pk}/milestones/new/" in html
    html = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    assert "Took a call with a prospect" in html
    assert "/milestones/new/" not in html and f"/milestones/{milestone.pk}/edit/" not in html


@pytest.mark.django_db
def test_a_csm_records_a_milestone_from_the_account_page(account, sponsor, csm_client, other_csm):
    response = csm_client.post(f"/accounts/{account.pk}/milestones/new/", {
        "kind": "executive_access", "occurred_on": TODAY.isoformat(), "contact": sponsor.pk,
        "credited_to": other_csm.pk, "note": "Met the CFO at the QBR.",
    })
    assert response.status_code == 302 and response["Location"].endswith(f"/accounts/{account.pk}/#panel-milestones")
    m = RelationshipMilestone.objects.get()
    assert (m.kind, m.contact, m.credited_to, m.note) == ("executive_access", sponsor, other_csm, "Met the CFO at the QBR.")
    assert AuditEntry.objects.get(target_type="surveys.relationshipmilestone").via == "web"


@pytest.mark.django_db
def test_a_future_date_comes_back_next_to_its_field_and_saves_nothing(account, csm_client):
    response = csm_client.post(f"/accounts/{account.pk}/milestones/new/", {
        "kind": "review", "occurred_on": (TODAY + dt.timedelta(days=2)).isoformat()})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not RelationshipMilestone.objects.exists()


@pytest.mark.django_db
def test_the_contact_list_offers_only_this_accounts_contacts(account, sponsor, csm_client):
    stranger = ContactFactory(account=AccountFactory(), name="Sam Stranger")
    html = csm_client.get(f"/accounts/{account.pk}/milestones/new/").content.decode()
    assert "Jane Roe" in html and "Sam Stranger" not in html
    response = csm_client.post(f"/accounts/{account.pk}/milestones/new/", {
        "kind": "review", "occurred_on": TODAY.isoformat(), "contact": stranger.pk})
    assert response.status_code == 400 and not RelationshipMilestone.objects.exists()


@pytest.mark.django_db
def test_edit_and_delete_through_the_pages(account, milestone, leader_client, leader):
    response = leader_client.post(f"/accounts/{account.pk}/milestones/{milestone.pk}/edit/", {
        "kind": "review", "occurred_on": milestone.occurred_on.isoformat(), "credited_to": leader.pk, "note": "G2"})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.kind, milestone.credited_to, milestone.note) == ("review", leader, "G2")
    confirm = leader_client.get(f"/accounts/{account.pk}/milestones/{milestone.pk}/delete/")
    assert confirm.status_code == 200 and RelationshipMilestone.objects.exists()
    assert leader_client.post(f"/accounts/{account.pk}/milestones/{milestone.pk}/delete/").status_code == 302
    assert not RelationshipMilestone.objects.exists()


@pytest.mark.django_db
def test_a_milestone_is_only_reachable_under_its_own_account(milestone, csm_client):
    other = AccountFactory()
    for url in (f"/accounts/{other.pk}/milestones/{milestone.pk}/edit/",
                f"/accounts/{other.pk}/milestones/{milestone.pk}/delete/"):
        assert csm_client.get(url).status_code == 404
    assert csm_client.post(f"/accounts/{other.pk}/milestones/{milestone.pk}/delete/").status_code == 404
    assert RelationshipMilestone.objects.filter(pk=milestone.pk).exists()


@pytest.mark.django_db
def test_the_outcomes_page_counts_per_csm_with_a_chart(account, milestone, csm, other_csm, viewer_client):
    html = viewer_client.get("/surveys/outcomes/").content.decode()
    assert 'id="outcomes-per-csm"' in html and "application/vnd.vegalite+json" in html
    row = html.split(f'id="csm-{csm.pk}"')[1].split("</tr>")[0]
    assert csm.get_full_name() in row and '<td class="num">1</td>' in row
    assert f'id="csm-{other_csm.pk}"' in html  # a CSM with none still has a row
    empty = viewer_client.get("/surveys/outcomes/", {"start": "2001-01-01", "end": "2001-12-31"}).content.decode()
    assert "No milestone in this period." in empty


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"start": "2025-02-30"}, {"start": "2025-06-01", "end": "2025-01-01"},
                                    {"start": "1990-01-01", "end": "2025-01-01"}])
def test_the_outcomes_page_refuses_a_bad_period_by_name(viewer_client, params):
    response = viewer_client.get("/surveys/outcomes/", params)
    assert response.status_code == 400 and "<strong>start</strong>" in response.content.decode()


# Personas ------------------------------------------------------------------------------------------

WRITE_URLS = ["/accounts/{a}/milestones/new/", "/accounts/{a}/milestones/{m}/edit/", "/accounts/{a}/milestones/{m}/delete/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", WRITE_URLS)
def test_a_viewer_may_not_open_or_post_the_milestone_pages(url, account, milestone, viewer_client):
    url = url.format(a=account.pk, m=milestone.pk)
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"kind": "review", "occurred_on": TODAY.isoformat()}).status_code == 403
    milestone.refresh_from_db()
    assert milestone.kind == MilestoneKind.REFERENCE and RelationshipMilestone.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url", [*WRITE_URLS, "/surveys/outcomes/"])
def test_anonymous_visitors_are_sent_to_log_in(url, account, milestone, anon_client):
    response = anon_client.get(url.format(a=account.pk, m=milestone.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["csm_client", "other_csm_client", "leader_client"])
def test_every_writer_may_record_a_milestone_on_any_account(who, account, request):
    client = request.getfixturevalue(who)
    response = client.post(f"/accounts/{account.pk}/milestones/new/",
                           {"kind": "budget_planning", "occurred_on": TODAY.isoformat()})
    assert response.status_code == 302 and RelationshipMilestone.objects.filter(kind="budget_planning").exists()


@pytest.mark.django_db
def test_a_deactivated_csm_cannot_be_credited(account, actor):
    gone = UserFactory(role=Role.CSM, is_active=False)
    with pytest.raises(ValidationError) as error:
        milestone_create(actor=actor, account=account, kind=MilestoneKind.REVIEW, occurred_on=TODAY, credited_to=gone)
    assert "credited_to" in error.value.message_dict
