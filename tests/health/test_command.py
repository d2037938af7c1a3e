"""``paceline health score``: stores the day's scores; bad input is refused naming the option."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from paceline.health.models import HealthScore
from tests.factories import AccountFactory
from tests.health.conftest import AS_OF, build_account

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("health", *args, stdout=out)
    return out.getvalue()


def test_score_stores_every_account_for_the_day_and_reports_counts():
    accounts = [build_account(), build_account()]
    output = run("score", "--date", AS_OF.isoformat())
    assert f"Health scores for {AS_OF}: 2 accounts scored (2 new, 0 updated)" in output
    assert set(HealthScore.objects.filter(on=AS_OF).values_list("account_id", flat=True)) == {a.pk for a in accounts}
    assert "(0 new, 2 updated)" in run("score", "--date", AS_OF.isoformat())


def test_score_one_account_defaults_to_today():
    wanted, other = AccountFactory(), AccountFactory()
    run("score", "--account", str(wanted.pk))
    assert list(HealthScore.objects.values_list("account_id", "on")) == [(wanted.pk, timezone.localdate())]
    assert not HealthScore.objects.filter(account=other).exists()


@pytest.mark.parametrize("args, message", [
    (("--date", "03/04/2026"), "--date '03/04/2026' is not a date"),
    (("--date", (timezone.localdate() + dt.timedelta(days=1)).isoformat()), "is in the future"),
    (("--account", "999999"), "--account 999999: no such account"),
])
def test_bad_options_are_refused_naming_them(args, message):
    with pytest.raises(CommandError, match=message):
        run("score", *args)
    assert not HealthScore.objects.exists()
