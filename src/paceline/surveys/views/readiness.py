"""An account's adoption-readiness assessments: the history with every reason, and a re-score
with the questions as the CS leaders set them now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from paceline.customers.views.common import account_or_404, web_actor
from paceline.surveys import readiness
from paceline.surveys.models import ReadinessLevel
from paceline.users.permissions import writer_required


@login_required
@require_safe
def account_readiness(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    history = readiness.account_readiness(account=account)
    context = {
        "nav": "book", "account": account, "can_write": request.user.can_write, "history": history,
        "latest": history[0] if history else None, "trend": readiness.level_trend(history),
        "levels": [(ReadinessLevel(level).label, lowest) for lowest, level in reversed(readiness.LEVELS)],
    }
    return render(request, "surveys/readiness.html", context)


@writer_required
@require_POST
def readiness_rescore(request: HttpRequest, pk: int) -> HttpResponse:
    """Score the account's responses again, after a leader changed the questions' points."""
    account = account_or_404(pk)
    before = {a.pk: (a.score, a.level) for a in readiness.account_readiness(account=account)}
    done = readiness.readiness_refresh(actor=web_actor(request), account=account)
    changed = sum(1 for a in done if before.get(a.pk) != (a.score, a.level))
    if not done:
        messages.info(request, "There is no answered readiness questionnaire to score.")
    else:
        messages.success(request, f"Scored {len(done)} assessment{'s' if len(done) != 1 else ''} again with the "
                                  f"current questions: {changed} changed.")
    return redirect(reverse("surveys:readiness", args=[account.pk]))
