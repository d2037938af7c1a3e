import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from paceline.core.models import AuditEntry
from paceline.success import sharing
from paceline.success.models import ShareLink
from tests.factories import SuccessPlanFactory


@pytest.fixture
def plan(account):
    return SuccessPlanFactory(account=account)


def test_a_link_resolves_to_its_plan_and_stores_only_a_hash(actor, plan):
    link, raw = sharing.share_link_create(actor=actor, plan=plan, label="Jane Roe")
    assert sharing.share_link_resolve(raw).plan == plan
    assert raw not in link.digest and not ShareLink.objects.filter(digest=raw).exists()
    entry = AuditEntry.objects.get(target_type="success.sharelink")
    assert raw not in str(entry.after)
    link.refresh_from_db()
    assert link.view_count == 1


def test_a_tampered_token_is_not_found(actor, plan):
    _, raw = sharing.share_link_create(actor=actor, plan=plan)
    for bad in (raw[:-1] + ("A" if raw[-1] != "A" else "B"), "", "x" * 500):
        with pytest.raises(ShareLink.DoesNotExist):
            sharing.share_link_resolve(bad)


def test_an_expired_or_revoked_link_is_gone(actor, plan):
    link, raw = sharing.share_link_create(actor=actor, plan=plan, days=1)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(sharing.LinkGone):
        sharing.share_link_resolve(raw)
    other, raw2 = sharing.share_link_create(actor=actor, plan=plan)
    sharing.share_link_revoke(actor=actor, link=other)
    with pytest.raises(sharing.LinkGone):
        sharing.share_link_resolve(raw2)


def test_a_link_lasts_one_day_to_a_year(actor, plan):
    with pytest.raises(ValidationError) as error:
        sharing.share_link_create(actor=actor, plan=plan, days=0)
    assert "days" in error.value.message_dict
