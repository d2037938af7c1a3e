"""The survey builder: the list of surveys, a survey with its questions and campaigns, its
preview, and the forms that write them. CS leaders and CSMs write (only leaders shape the
readiness questionnaire); viewers read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.core.services import Actor
from paceline.customers.forms import attach_service_errors
from paceline.customers.views.common import wants_fragment
from paceline.surveys import services
from paceline.surveys.forms import QuestionForm, SurveyForm
from paceline.surveys.models import Campaign, Question, Survey, SurveyKind
from paceline.surveys.views.respond import items_for
from paceline.users.permissions import can_write, is_leader, writer_required


def web_actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, via="web")


def survey_or_404(survey_id: int) -> Survey:
    try:
        return Survey.objects.get(pk=survey_id)
    except Survey.DoesNotExist:
        raise Http404("No survey with this id.") from None


def question_or_404(survey: Survey, question_id: int) -> Question:
    try:
        question = Question.objects.get(pk=question_id, survey=survey)
    except Question.DoesNotExist:
        raise Http404("This survey has no question with this id.") from None
    question.survey = survey
    return question


def can_edit(request: HttpRequest, survey: Survey) -> bool:
    return can_write(request.user) and (survey.kind != SurveyKind.READINESS or is_leader(request.user))


def builder_url(survey: Survey, anchor: str = "") -> str:
    return reverse("surveys:builder", args=[survey.pk]) + (f"#{anchor}" if anchor else "")


def form_page(request: HttpRequest, *, form: forms.Form, save: Callable[[dict[str, Any]], Any],
              done: Callable[[Any], str], then: Callable[[Any], str], title: str, survey: Survey | None,
              submit: str = "Save", intro: str = "", cancel: str = "",
              extra: dict[str, Any] | None = None) -> HttpResponse:
    """Show a form; a valid POST goes to one service call and redirects. A service's refusal lands
    next to the fields it names, with status 400, and nothing was saved."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, done(result))
            return redirect(then(result))
    context = {"form": form, "survey": survey, "title": title, "submit": submit, "intro": intro, "nav": "surveys",
               "cancel": cancel or (builder_url(survey) if survey else reverse("surveys:list")), **(extra or {})}
    return render(request, "surveys/builder_form.html", context, status=400 if request.method == "POST" else 200)


def posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


@login_required
@require_safe
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = Survey.objects.annotate(
        question_count=Count("questions", distinct=True),
        campaign_count=Count("campaigns", distinct=True),
        answered=Count("responses", filter=Q(responses__submitted_at__isnull=False), distinct=True),
    ).order_by("-is_active", "name", "id")
    return render(request, "surveys/builder_list.html",
                  {"surveys": surveys, "can_write": can_write(request.user), "nav": "surveys"})


@writer_required
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(posted(request), creating=True, readiness_allowed=is_leader(request.user),
                      initial={"kind": SurveyKind.NPS})
    return form_page(
        request, form=form, survey=None, title="New survey", submit="Create survey",
        save=lambda data: services.survey_create(actor=web_actor(request), **data),
        done=lambda survey: f"Survey “{survey.name}” created.", then=builder_url,
    )


def _builder_context(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    campaigns = (Campaign.objects.filter(survey=survey).select_related("created_by")
                 .annotate(invited=Count("invitations", filter=~Q(invitations__status="skipped")),
                           answered=Count("invitations", filter=Q(invitations__status="completed")))
                 .order_by("-created_at", "-id"))
    return {"survey": survey, "questions": list(survey.questions.order_by("position", "id")),
            "campaigns": campaigns, "can_edit": can_edit(request, survey), "can_send": can_write(request.user),
            "nav": "surveys"}


@login_required
@require_safe
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(survey_id)
    return render(request, "surveys/builder.html", _builder_context(request, survey))


@writer_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(survey_id)
    services.require_editor(web_actor(request), survey.kind)
    initial = {"name": survey.name, "intro": survey.intro, "thank_you": survey.thank_you, "is_active": survey.is_active}
    form = SurveyForm(posted(request), creating=False, initial=initial)
    return form_page(
        request, form=form, survey=survey, title=f"Edit {survey.name}",
        save=lambda data: services.survey_update(actor=web_actor(request), survey=survey, **data),
        done=lambda s: f"Survey “{s.name}” saved.", then=builder_url,
    )


@login_required
@require_safe
def survey_preview(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The questions as a respondent sees them; nothing here is saved."""
    survey = survey_or_404(survey_id)
    questions = list(survey.questions.order_by("position", "id"))
    return render(request, "surveys/builder_preview.html", {
        "survey": survey, "items": items_for(questions, values={}, errors={}), "nav": "surveys"})


@writer_required
@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(survey_id)
    services.require_editor(web_actor(request), survey.kind)
    readiness = survey.kind == SurveyKind.READINESS
    form = QuestionForm(posted(request), readiness=readiness, initial={"kind": "text"})
    return form_page(
        request, form=form, survey=survey, title=f"Add a question to {survey.name}", submit="Add question",
        save=lambda _: services.question_add(actor=web_actor(request), survey=survey, **form.service_fields()),
        done=lambda q: f"Question “{q.prompt}” added.", then=lambda q: builder_url(survey, f"question-{q.pk}"),
    )


@writer_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = survey_or_404(survey_id)
    question = question_or_404(survey, question_id)
    services.require_editor(web_actor(request), survey.kind)
    form = QuestionForm(posted(request), readiness=survey.kind == SurveyKind.READINESS,
                        initial=QuestionForm.initial_for(question))
    return form_page(
        request, form=form, survey=survey, title=f"Edit a question of {survey.name}",
        save=lambda _: services.question_update(actor=web_actor(request), question=question, **form.service_fields()),
        done=lambda q: f"Question “{q.prompt}” saved.", then=lambda q: builder_url(survey, f"question-{q.pk}"),
    )


@writer_required
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = survey_or_404(survey_id)
    question = question_or_404(survey, question_id)
    services.require_editor(web_actor(request), survey.kind)
    error = None
    if request.method == "POST":
        try:
            services.question_remove(actor=web_actor(request), question=question)
        except ValidationError as refused:
            error = " ".join(m for ms in refused.message_dict.values() for m in ms)
        else:
            messages.success(request, f"Question “{question.prompt}” removed.")
            return redirect(builder_url(survey))
    return render(request, "surveys/builder_confirm.html",
                  {"survey": survey, "question": question, "error": error, "nav": "surveys"},
                  status=400 if error else 200)


@writer_required
@require_POST
def question_move(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    """Up or down one place; HTMX gets the refreshed list of questions."""
    survey = survey_or_404(survey_id)
    question = question_or_404(survey, question_id)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return HttpResponse("Say direction=up or direction=down.", status=400, content_type="text/plain")
    services.question_move(actor=web_actor(request), question=question, offset=-1 if direction == "up" else 1)
    if not wants_fragment(request):
        return redirect(builder_url(survey, f"question-{question.pk}"))
    response = render(request, "surveys/builder.html#questions", _builder_context(request, survey))
    patch_vary_headers(response, ["HX-Request"])
    return response
