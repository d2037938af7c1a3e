"""An account's adoption-readiness assessments: the history with every reason, answers recorded
by a CSM from a call, and a re-score with the questions as the CS leaders set them now."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from paceline.customers.forms import DATE
from paceline.customers.models import Account, Contact
from paceline.customers.views.common import account_or_404, web_actor
from paceline.surveys import readiness, services
from paceline.surveys.models import Question, QuestionKind, ReadinessLevel, ResponseSource
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


class RecordForm(forms.Form):
    """The questionnaire as a CSM fills it in with the customer on a call, one field per question."""

    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False, label="Who answered")
    answered_on = forms.DateField(widget=DATE, label="Answered on")

    def __init__(self, *args, account: Account, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["contact"].queryset = account.contacts.filter(left_on__isnull=True).order_by("name")
        for q in questions:
            common = {"label": q.prompt, "help_text": q.help_text, "required": False}
            if q.kind == QuestionKind.SINGLE:
                field = forms.ChoiceField(choices=[(c, c) for c in q.choices], widget=forms.RadioSelect, **common)
            elif q.kind == QuestionKind.MULTI:
                field = forms.MultipleChoiceField(choices=[(c, c) for c in q.choices],
                                                  widget=forms.CheckboxSelectMultiple, **common)
            elif q.bounds is not None and None not in q.bounds:
                steps = [(str(n), str(n)) for n in range(q.bounds[0], q.bounds[1] + 1)]
                field = forms.ChoiceField(choices=steps, widget=forms.RadioSelect, **common)
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, **common)
            self.fields[f"q_{q.key}"] = field

    def answers(self) -> dict[str, Any]:
        return {q.key: self.cleaned_data.get(f"q_{q.key}") or None for q in self.questions}

    def add_service_errors(self, error: ValidationError) -> None:
        """The service names answers by question key; put each next to its question."""
        for name, messages_ in getattr(error, "message_dict", {"__all__": error.messages}).items():
            field = f"q_{name}" if f"q_{name}" in self.fields else name if name in self.fields else None
            self.add_error(field, messages_)


@writer_required
def readiness_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the answers a customer gave on a call; the assessment follows at once."""
    account = account_or_404(pk)
    survey = readiness.readiness_survey_current()
    if survey is None:
        return render(request, "surveys/readiness_record.html",
                      {"account": account, "nav": "book", "survey": None}, status=404)
    questions = list(survey.questions.all())
    champion = account.contacts.filter(is_primary=True, left_on__isnull=True).first()
    form = RecordForm(request.POST if request.method == "POST" else None, account=account, questions=questions,
                      initial={"answered_on": timezone.localdate(), "contact": champion})
    if request.method == "POST" and form.is_valid():
        try:
            response = services.response_record(
                actor=web_actor(request), survey=survey, account=account, contact=form.cleaned_data["contact"],
                answers=form.answers(), submitted_at=form.cleaned_data["answered_on"], source=ResponseSource.MANUAL,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            assessment = getattr(response, "readiness", None)
            if assessment is not None:
                messages.success(request, f"Assessed: {assessment.get_level_display()} ({assessment.score}/100).")
            else:
                messages.info(request, "Answers recorded. No scored question was answered, so there is no level.")
            return redirect(reverse("surveys:readiness", args=[account.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/readiness_record.html",
                  {"account": account, "nav": "book", "survey": survey, "form": form}, status=status)
