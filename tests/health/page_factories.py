"""Stored health scores for page and API tests: hand-built facts scored with the real scoring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from paceline.customers.models import Account
from paceline.health import scoring, selectors
from paceline.health.facts import Fact
from paceline.health.models import HealthScore

# Good relationship, poor adoption: no agreed plan, low readiness, touchpoints missed.
AT_RISK = {
    "plan.agreed": Fact(0, note="no agreed success plan"),
    "goals.on_pace_share": Fact(0.2),
    "readiness.level": Fact(1, note="readiness: not started"),
    "onboarding.kept_share": Fact(0.1, note="1 of 10 onboarding touchpoints kept"),
    "touchpoints.kept_share": Fact(0.2, note="8 of 10 touchpoints missed"),
    "contact.days_since": Fact(20),
    "contact.levels_90d": Fact(3),
    "sponsor.days_since": Fact(10),
    "champion.present": Fact(1, note="champion Jane Roe"),
    "sentiment.score_90d": Fact(0.6),
    "nps.score": Fact(60),
}

HEALTHY = {
    "plan.agreed": Fact(1), "goals.on_pace_share": Fact(1), "readiness.level": Fact(5),
    "onboarding.kept_share": Fact(1), "touchpoints.kept_share": Fact(1), "contact.days_since": Fact(3),
    "contact.levels_90d": Fact(3), "sponsor.days_since": Fact(10), "champion.present": Fact(1),
    "sentiment.score_90d": Fact(0.6), "nps.score": Fact(60), "needs.open": Fact(3),
}


def stored_score(account: Account, *, on: dt.date, facts: dict[str, Fact]) -> HealthScore:
    """Score ``facts`` with the account's model version and store the row as the service would."""
    version = selectors.version_for([account])[account.pk]
    spec = selectors.definition_of(version, {})
    result = scoring.score(facts, spec, as_of=on)
    eq = result.equations
    row, _ = HealthScore.objects.update_or_create(account=account, on=on, defaults={
        "version": version, "adoption": eq["adoption"].score, "renewal": eq["renewal"].score,
        "expansion": eq["expansion"].score, "band": result.band, "blocking": eq["renewal"].blocking or "",
        "most_impactful": result.most_impactful or "", "detail": result.as_dict(),
    })
    return row


def with_arr(account: Account, arr: str) -> Account:
    """ARR is derived from subscriptions; tests about ordering by ARR set it directly."""
    Account.objects.filter(pk=account.pk).update(arr=Decimal(arr))
    account.refresh_from_db()
    return account
