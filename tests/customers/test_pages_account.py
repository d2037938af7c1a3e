"""Customer 360: the header, people and their chain of command, contracts, timeline, tasks, audit."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paceline.core.services import Actor
from paceline.customers import services
from paceline.customers.models import ContactRole, ContactStatus, Task, TaskStatus
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    SubscriptionFactory,
    TaskFactory,
)


def section(body: str, element_id: str) -> str:
    """The HTML from the element with this id to the end of its <section> (or the page)."""
    start = body.index(f'id="{element_id}"')
    end = body.find("</section>", start)
    return body[start:end if end != -1 else len(body)]


def org_levels(body: str) -> list[tuple[int, int]]:
    """(depth, contact id) for each person in the org chart, in document order."""
    chart = section(body, "org-chart")
    depth, found = 0, []
    for match in re.finditer(r'<ul>|</ul>|data-contact-id="(\d+)"', chart):
        if match.group(0) == "<ul>":
            depth += 1
        elif match.group(0) == "</ul>":
            depth -= 1
        else:
            found.append((depth, int(match.group(1))))
    return found


def timeline_ids(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li class="kind-\w+" id="interaction-(\d+)">', body)]


@pytest.fixture
def company(account, csm, leader):
    """Acme with a parent, two children, a chain of command with a departed champion, a contract."""
    today = timezone.localdate()
    parent = AccountFactory(name="Acme Holdings", owner=leader)
    account.parent = parent
    account.save()
    SubscriptionFactory(account=account, arr=Decimal("60000"), start_date=today - dt.timedelta(days=300),
                        end_date=today + dt.timedelta(days=65))
    east = AccountFactory(name="Acme East", parent=account)
    west = AccountFactory(name="Acme West", parent=account)
    SubscriptionFactory(account=east, arr=Decimal("10000"))
    SubscriptionFactory(account=west, arr=Decimal("5000"))
    ceo = ContactFactory(account=account, name="Cora Chief", title="CEO", level="executive",
                         roles=[ContactRole.EXECUTIVE_SPONSOR], is_primary=True)
    vp = ContactFactory(account=account, name="Victor Vp", title="VP Operations", reports_to=ceo,
                        roles=[ContactRole.DECISION_MAKER])
    champ = ContactFactory(account=account, name="Chloe Champ", title="Ops Lead", reports_to=vp,
                           roles=[ContactRole.CHAMPION], status=ContactStatus.LEFT, left_on=dt.date(2025, 3, 14))
    admin = ContactFactory(account=account, name="Adam Admin", reports_to=vp, roles=[ContactRole.ADMIN],
                           status=ContactStatus.LEFT, left_on=dt.date(2025, 1, 2))
    account.refresh_from_db()
    return {"account": account, "parent": parent, "east": east, "west": west,
            "ceo": ceo, "vp": vp, "champ": champ, "admin": admin}


def test_anonymous_is_sent_to_log_in(anon_client, account):
    response = anon_client.get(f"/accounts/{account.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_unknown_account_is_404(csm_client, account):
    assert csm_client.get(f"/accounts/{account.pk + 999}/").status_code == 404
    assert csm_client.get(f"/accounts/{account.pk + 999}/timeline/").status_code == 404


def test_the_header_shows_money_renewal_owner_and_the_hierarchy(viewer_client, company):
    account = company["account"]
    response = viewer_client.get(f"/accounts/{account.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Acme Corp</h1>" in body
    assert '<div class="value" id="account-arr">60,000.00 <span class="unit">USD</span>' in body
    assert '<div class="value" id="account-mrr">5,000.00 <span class="unit">USD</span>' in body
    renewal = (timezone.localdate() + dt.timedelta(days=65)).isoformat()
    assert f'<span class="nowrap">{renewal}</span>' in section(body, "account-renewal")
    assert '<span class="badge warn">in 65 d</span>' in section(body, "account-renewal")
    assert "Carl Csm" in section(body, "account-header")
    assert "Mid-market" in body and "Tier 2 (low touch)" in body and "Onboarding" in body
    assert f'<a href="/accounts/{company["parent"].pk}/" id="account-parent">Acme Holdings</a>' in body
    hierarchy = section(body, "hierarchy")
    assert f'<a href="/accounts/{company["east"].pk}/">Acme East</a>' in hierarchy
    assert "10,000" in hierarchy and "5,000" in hierarchy
    assert '<span id="hierarchy-rollup-arr">75,000.00</span>' in hierarchy
    assert '<div class="value" id="account-rollup-arr">75,000.00' in body


def test_a_viewer_sees_no_write_controls(viewer_client, company):
    body = viewer_client.get(f"/accounts/{company['account'].pk}/").content.decode()
    assert "/interactions/new/" not in body
    assert "/edit/" not in body
    assert "Complete</button>" not in body


def test_a_csm_sees_the_write_controls(csm_client, company):
    account = company["account"]
    TaskFactory(account=account)
    body = csm_client.get(f"/accounts/{account.pk}/").content.decode()
    assert f'href="/accounts/{account.pk}/interactions/new/"' in body
    assert f'href="/accounts/{account.pk}/edit/"' in body
    assert "Complete</button>" in body


def test_contacts_show_roles_level_primary_and_who_left(viewer_client, company):
    body = viewer_client.get(f"/accounts/{company['account'].pk}/").content.decode()
    contacts = section(body, "contacts")
    ceo_row = section(contacts, f"contact-{company['ceo'].pk}").split("</tr>")[0]
    assert "Executive sponsor" in ceo_row and "Executive" in ceo_row and "Primary" in ceo_row
    assert '<span class="badge good">Active</span>' in ceo_row
    champ_row = section(contacts, f"contact-{company['champ'].pk}").split("</tr>")[0]
    assert "Champion" in champ_row
    assert '<span class="badge bad">Left 2025-03-14</span>' in champ_row
    assert "Reports to Victor Vp" in champ_row


def test_the_org_chart_nests_people_under_whom_they_report_to(viewer_client, company):
    body = viewer_client.get(f"/accounts/{company['account'].pk}/").content.decode()
    assert 'id="org-chart" class="org"' in body
    levels = org_levels(body)
    assert levels[0] == (1, company["ceo"].pk)
    assert levels[1] == (2, company["vp"].pk)
    assert {levels[2], levels[3]} == {(3, company["champ"].pk), (3, company["admin"].pk)}
    champ = re.search(rf'<span class="([^"]+)" data-contact-id="{company["champ"].pk}"', body).group(1)
    admin = re.search(rf'<span class="([^"]+)" data-contact-id="{company["admin"].pk}"', body).group(1)
    assert champ == "person left flag"
    assert admin == "person left"


def test_a_departed_champion_is_flagged_and_nobody_else_is(viewer_client, company):
    body = viewer_client.get(f"/accounts/{company['account'].pk}/").content.decode()
    assert "<strong>Champion Chloe Champ left on 2025-03-14.</strong>" in body
    assert body.count('class="alert bad departed-champion"') == 1


def test_no_flag_when_the_champion_is_still_there(viewer_client, account):
    ContactFactory(account=account, name="Stan Stays", roles=[ContactRole.CHAMPION])
    body = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    assert "departed-champion" not in body


def test_subscriptions_show_renewal_outcomes_with_arr_before_and_after(viewer_client, account, actor):
    today = timezone.localdate()
    term = SubscriptionFactory(account=account, product="Paceline Platform", arr=Decimal("12000"),
                               start_date=today - dt.timedelta(days=365), end_date=today)
    services.renewal_record(actor=actor, subscription=term, decided_on=today, arr_after=Decimal("15000"))
    body = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    old = section(body, "subscriptions").split(f'id="subscription-{term.pk}"')[1].split("</tr>")[0]
    assert '<span class="badge good">Expanded</span>' in old
    assert "12,000 → 15,000 USD" in old
    assert '<span class="badge ">Ended</span>' in old


def test_the_timeline_is_newest_first_with_participants_on_both_sides(viewer_client, account, csm, leader):
    now = timezone.now()
    older = InteractionFactory(account=account, kind="email", subject="Kick-off notes", occurred_at=now - dt.timedelta(days=9))
    newer = InteractionFactory(account=account, kind="qbr", subject="Q3 business review", occurred_at=now - dt.timedelta(days=1),
                               summary="Went well.", sentiment="positive")
    person = ContactFactory(account=account, name="Pat Buyer")
    newer.contacts.set([person])
    newer.users.set([csm, leader])
    body = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    assert 'id="timeline"' in body
    assert timeline_ids(body) == [newer.pk, older.pk]
    entry = section(body, f"interaction-{newer.pk}").split("</li>")[0]
    assert "Business review (QBR)" in entry and "Q3 business review" in entry and "Went well." in entry
    assert '<span class="badge good">Positive</span>' in entry
    assert "Pat Buyer" in entry
    assert "Carl Csm" in entry and "Lena Leader" in entry


def test_older_entries_load_a_page_at_a_time_by_htmx(viewer_client, account):
    now = timezone.now()
    made = [InteractionFactory(account=account, occurred_at=now - dt.timedelta(hours=n)) for n in range(25)]
    page = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    assert timeline_ids(page) == [i.pk for i in made[:20]]
    more = re.search(r'hx-get="(/accounts/\d+/timeline/\?kind=&amp;before=(\d+))"', page)
    assert int(more.group(2)) == made[19].pk
    response = viewer_client.get(more.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert timeline_ids(body) == [i.pk for i in made[20:]]
    assert "Older" not in body
    assert "HX-Request" in response["Vary"]


def test_the_kind_filter_loads_only_that_kind(viewer_client, account):
    call = InteractionFactory(account=account, kind="call")
    InteractionFactory(account=account, kind="email")
    response = viewer_client.get(f"/accounts/{account.pk}/timeline/?kind=call", HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert timeline_ids(response.content.decode()) == [call.pk]
    empty = viewer_client.get(f"/accounts/{account.pk}/timeline/?kind=qbr", HTTP_HX_REQUEST="true")
    assert "No interactions of this kind yet." in empty.content.decode()


def test_the_timeline_url_without_htmx_is_a_whole_page(viewer_client, account):
    call = InteractionFactory(account=account, kind="call")
    response = viewer_client.get(f"/accounts/{account.pk}/timeline/?kind=call")
    body = response.content.decode()
    assert "<html" in body and 'id="timeline"' in body
    assert timeline_ids(body) == [call.pk]


def test_a_bad_timeline_filter_is_refused_by_name(viewer_client, account):
    response = viewer_client.get(f"/accounts/{account.pk}/timeline/?kind=fax", HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "<code>kind</code>" in response.content.decode()


def test_open_tasks_mark_the_overdue_ones(viewer_client, account):
    today = timezone.localdate()
    late = TaskFactory(account=account, title="Send the renewal quote", due_date=today - dt.timedelta(days=3))
    soon = TaskFactory(account=account, title="Plan the QBR", due_date=today + dt.timedelta(days=3))
    TaskFactory(account=account, title="Old done thing", status=TaskStatus.DONE)
    body = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    tasks = section(body, "open-tasks")
    assert f'<li id="task-{late.pk}" class="overdue">' in tasks
    assert f'<li id="task-{soon.pk}" class="">' in tasks
    assert '<span class="badge bad">Overdue</span>' in section(tasks, f"task-{late.pk}").split("</li>")[0]
    assert "Old done thing" not in tasks


def test_completing_a_task_by_htmx_returns_the_refreshed_task_list(csm_client, account):
    task = TaskFactory(account=account, title="Send the renewal quote")
    other = TaskFactory(account=account, title="Plan the QBR")
    response = csm_client.post(f"/accounts/{account.pk}/tasks/{task.pk}/complete/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card" id="open-tasks">')
    assert "Completed “Send the renewal quote”." in body
    assert f'id="task-{task.pk}"' not in body
    assert f'id="task-{other.pk}"' in body
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at is not None


def test_completing_a_task_without_htmx_redirects_with_a_message(csm_client, account):
    task = TaskFactory(account=account, title="Send the renewal quote")
    response = csm_client.post(f"/accounts/{account.pk}/tasks/{task.pk}/complete/", follow=True)
    assert response.redirect_chain == [(f"/accounts/{account.pk}/", 302)]
    assert "Task “Send the renewal quote” completed." in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_a_task_of_another_account_cannot_be_completed_through_this_one(csm_client, account):
    stranger = TaskFactory(account=AccountFactory())
    assert csm_client.post(f"/accounts/{account.pk}/tasks/{stranger.pk}/complete/").status_code == 404
    assert Task.objects.get(pk=stranger.pk).status == TaskStatus.OPEN


def test_the_audit_shows_who_when_and_each_changed_field(viewer_client, account, leader):
    services.account_update(actor=Actor(user=leader, via="web"), account=account, segment="enterprise", tier="1")
    body = viewer_client.get(f"/accounts/{account.pk}/").content.decode()
    audit = section(body, "audit")
    row = audit.split("<tr>")[2]
    assert "lena@vendor.test" in row and "via web" in row
    assert "Updated account" in row and "“Acme Corp”" in row
    assert '<span class="field">segment</span>: <del>mid_market</del> → <ins>enterprise</ins>' in row
    assert '<span class="field">tier</span>: <del>2</del> → <ins>1</ins>' in row


def test_the_account_page_costs_the_same_queries_whatever_its_size(csm_client, account, csm, django_assert_num_queries):
    def grow(n: int) -> None:
        boss = ContactFactory(account=account)
        for _ in range(n):
            contact = ContactFactory(account=account, reports_to=boss)
            interaction = InteractionFactory(account=account)
            interaction.contacts.set([contact, boss])
            interaction.users.set([csm])
            TaskFactory(account=account, owner=csm)
            SubscriptionFactory(account=account)
            AccountFactory(parent=account, owner=csm)

    grow(2)
    with CaptureQueriesContext(connection) as small:
        csm_client.get(f"/accounts/{account.pk}/")
    grow(8)
    with django_assert_num_queries(len(small.captured_queries)):
        response = csm_client.get(f"/accounts/{account.pk}/")
    assert len(timeline_ids(response.content.decode())) == 10
