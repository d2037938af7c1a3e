"""The respondent's pages: the survey behind a personal link, and unsubscribing.

No login: the token in the URL is the only key, which is also why these views need no CSRF
cookie (a forged request would have to know the token, and then it could post directly). The
pages answer as little as they can: an unknown or tampered token gets one fixed 404 body, an
expired link one fixed 410 body, an answered link a thank-you with nothing of the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from paceline.surveys import services
from paceline.surveys.defaults import SCALE_ENDS
from paceline.surveys.forms import answers_from_post, field_name
from paceline.surveys.models import Answer, InvitationLink, Question, QuestionKind, Survey

# Never cached, never indexed, the token never sent on as a referrer, nothing loaded from elsewhere.
PUBLIC_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}
RATED = (QuestionKind.NPS, QuestionKind.CSAT, QuestionKind.CES, QuestionKind.SCALE)


@dataclass
class Item:
    """One question as the page shows it, with the answer to show checked or filled in."""

    question: Question
    name: str
    steps: list[str] = field(default_factory=list)
    ends: tuple[str, str] | None = None
    selected: list[str] = field(default_factory=list)
    text: str = ""
    error: str = ""

    @property
    def is_scale(self) -> bool:
        return self.question.kind in RATED


def items_for(questions: list[Question], *, values: dict[str, Any], errors: dict[str, str]) -> list[Item]:
    """``values``: question key -> the answer to show (a saved Answer or what was just posted)."""
    items = []
    for question in questions:
        item = Item(question=question, name=field_name(question), error=errors.get(question.key, ""))
        if question.kind in RATED:
            low, high = question.bounds
            item.steps = [str(step) for step in range(low, high + 1)]
            item.ends = SCALE_ENDS.get(question.kind)
        value = values.get(question.key)
        if isinstance(value, Answer):
            item.selected = [str(value.number)] if value.number is not None else list(value.choices or [])
            item.text = value.text
        elif isinstance(value, list):
            item.selected = [str(v) for v in value]
        elif value is not None:
            item.selected, item.text = [str(value)], str(value)
        items.append(item)
    return items


def _public(response: HttpResponse) -> HttpResponse:
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    return response


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return _public(render(request, template, context, status=status))


def unavailable(request: HttpRequest, *, gone: bool) -> HttpResponse:
    # Nothing from the token, invitation or survey in the context: one body per kind of bad link.
    return _page(request, "surveys/respond_unavailable.html", {"gone": gone}, status=410 if gone else 404)


def _answered(request: HttpRequest) -> HttpResponse:
    return _page(request, "surveys/respond_done.html", {"already": True})


def _questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position", "id"))


def _form_page(request, invitation, questions, *, values, errors=None, saved=False, status=200) -> HttpResponse:
    errors = errors or {}
    context = {
        "survey": invitation.campaign.survey, "invitation": invitation, "saved": saved,
        "items": items_for(questions, values=values, errors=errors),
        "error_count": len(errors), "general_errors": [m for k, m in errors.items() if k not in {q.key for q in questions}],
    }
    return _page(request, "surveys/respond.html", context, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the survey with what was saved so far. POST ``action``: ``save`` (finish later),
    ``autosave`` (HTMX, per answer: answers with a status line) or ``submit``."""
    try:
        invitation = services.invitation_open(token=token)
    except InvitationLink.DoesNotExist:
        return unavailable(request, gone=False)
    except services.LinkGone:
        return unavailable(request, gone=True)
    except services.LinkUsed:
        return _answered(request)
    survey = invitation.campaign.survey
    questions = _questions(survey)
    if request.method == "GET":
        saved = {a.question.key: a for a in Answer.objects.filter(response__invitation=invitation).select_related("question")}
        return _form_page(request, invitation, questions, values=saved, saved=bool(request.GET.get("saved")))
    action = request.POST.get("action", "submit")
    answers = answers_from_post(questions, request.POST)
    try:
        if action in ("save", "autosave"):
            services.response_save(invitation=invitation, answers=answers)
        else:
            services.response_submit(invitation=invitation, answers=answers)
    except services.LinkGone:
        return unavailable(request, gone=True)
    except services.LinkUsed:
        return _answered(request)
    except ValidationError as error:
        errors = {key: " ".join(messages) for key, messages in error.message_dict.items()}
        if action == "autosave":
            return _page(request, "surveys/respond.html#save-status", {"errors": errors, "status_ok": False}, status=422)
        return _form_page(request, invitation, questions, values=answers, errors=errors, status=422)
    if action == "autosave":
        return _page(request, "surveys/respond.html#save-status", {"status_ok": True, "at": timezone.now()})
    if action == "save":
        return _form_page(request, invitation, questions, values=answers, saved=True)
    return _page(request, "surveys/respond_done.html", {"survey": survey, "already": False})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail scanners follow links; they must not unsubscribe anyone); POST,
    from the page or a mail client's one-click button (RFC 8058), unsubscribes."""
    try:
        if request.method == "GET":
            services.unsubscribe_check(token=token)
            return _page(request, "surveys/respond_unsubscribe.html", {"done": False})
        services.unsubscribe(token=token)
    except InvitationLink.DoesNotExist:
        return unavailable(request, gone=False)
    return _page(request, "surveys/respond_unsubscribe.html", {"done": True})
