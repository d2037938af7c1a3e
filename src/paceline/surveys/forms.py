"""Forms of the survey pages: the builder, the send wizard, and reading a respondent's answers.

They check the shape of what was typed; the rules (unique keys, one headline question, answers
in range, who may be surveyed) are the services', whose errors land next to these fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.http import QueryDict

from paceline.customers.forms import QuietLabels
from paceline.customers.models import Account, ContactRole, LifecycleStage, Segment
from paceline.surveys.emails import PLACEHOLDERS
from paceline.surveys.models import Question, QuestionKind, SurveyKind
from paceline.surveys.services.campaigns import MAX_EXPIRES_DAYS

TEXTAREA = {"rows": 3}


class SurveyForm(QuietLabels, forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SurveyKind.choices, help_text="NPS, CSAT and CES surveys start with their "
                             "standard question and a “why”; a custom questionnaire starts empty.")
    intro = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                            help_text="Shown to the respondent above the questions.")
    thank_you = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                help_text="Shown after the answers are sent.")
    is_active = forms.BooleanField(required=False, label="Active (can be sent)")

    def __init__(self, *args, creating: bool, readiness_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_active"]
            if not readiness_allowed:
                self.fields["kind"].choices = [c for c in SurveyKind.choices if c[0] != SurveyKind.READINESS]
        else:
            del self.fields["kind"]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(QuietLabels, forms.Form):
    kind = forms.ChoiceField(choices=QuestionKind.choices, label="Kind of answer")
    prompt = forms.CharField(max_length=500, label="Question")
    help_text = forms.CharField(max_length=500, required=False, label="Hint", help_text="Shown under the question.")
    required = forms.BooleanField(required=False, label="An answer is required")
    choices = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Choices",
                              help_text="For single and multiple choice: one per line.")
    scale_min = forms.IntegerField(required=False, label="Scale from", min_value=-100, max_value=100)
    scale_max = forms.IntegerField(required=False, label="Scale to", min_value=-100, max_value=100)
    key = forms.SlugField(max_length=50, required=False, label="Key",
                          help_text="Stable name for exports, imports and the API; made from the question if empty.")
    points = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Points",
                             help_text="Readiness scoring: one “answer = points” per line.")

    def __init__(self, *args, readiness: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not readiness:
            del self.fields["points"]

    def clean_choices(self) -> list[str]:
        return _lines(self.cleaned_data.get("choices", ""))

    def clean_points(self) -> dict[str, float]:
        points: dict[str, float] = {}
        for number, line in enumerate(_lines(self.cleaned_data.get("points", "")), start=1):
            answer, sep, value = line.rpartition("=")
            try:
                if not sep or not answer.strip():
                    raise ValueError
                amount = float(value.strip())
            except ValueError:
                raise forms.ValidationError(f"Line {number}: write “answer = points”, e.g. “Yes = 10”.") from None
            points[answer.strip()] = int(amount) if amount.is_integer() else amount
        return points

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if "points" in data:
            data["scoring"] = data.pop("points")
        return data

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        return {
            "kind": question.kind, "prompt": question.prompt, "help_text": question.help_text,
            "required": question.required, "choices": "\n".join(question.choices or []),
            "scale_min": question.scale_min, "scale_max": question.scale_max, "key": question.key,
            "points": "\n".join(f"{answer} = {points}" for answer, points in (question.scoring or {}).items()),
        }


class AudienceForm(QuietLabels, forms.Form):
    segments = forms.MultipleChoiceField(choices=Segment.choices, required=False, widget=forms.CheckboxSelectMultiple)
    stages = forms.MultipleChoiceField(choices=LifecycleStage.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple, label="Lifecycle stages",
                                       help_text="None chosen: every stage but churned.")
    roles = forms.MultipleChoiceField(choices=ContactRole.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                      label="Contact roles", help_text="None chosen: every contact of the accounts.")
    accounts = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA), label="Accounts",
                               help_text="Also these accounts, one name or external id per line.")

    def clean_accounts(self) -> list[int]:
        ids, unknown = [], []
        for line in _lines(self.cleaned_data.get("accounts", "")):
            found = list(Account.objects.filter(Q(name__iexact=line) | Q(external_id=line)).values_list("pk", flat=True))
            if len(found) == 1:
                ids.append(found[0])
            elif found:
                raise forms.ValidationError(f"“{line}” names {len(found)} accounts; use its external id.")
            else:
                unknown.append(line)
        if unknown:
            raise forms.ValidationError(f"No account named or with the external id: {', '.join(unknown)}.")
        return ids

    def audience(self) -> dict[str, list]:
        data = self.cleaned_data
        return {"segments": data["segments"], "stages": data["stages"], "roles": data["roles"],
                "account_ids": data["accounts"]}

    @classmethod
    def initial_for(cls, audience: dict) -> dict[str, Any]:
        names = Account.objects.filter(pk__in=audience.get("account_ids") or []).values_list("external_id", "name")
        return {"segments": audience.get("segments", []), "stages": audience.get("stages", []),
                "roles": audience.get("roles", []), "accounts": "\n".join(ext or name for ext, name in names)}


class MessageForm(QuietLabels, forms.Form):
    name = forms.CharField(max_length=200, label="Campaign name", help_text="For your team; respondents do not see it.")
    subject = forms.CharField(max_length=200, label="E-mail subject")
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label="Message",
                              help_text="The personal link comes below it. You may write "
                              + " and ".join(f"{p} ({what})" for p, what in PLACEHOLDERS.items()) + ".")
    expires_days = forms.IntegerField(min_value=1, max_value=MAX_EXPIRES_DAYS, label="Link valid for (days)")
    reminder_days = forms.IntegerField(min_value=0, max_value=MAX_EXPIRES_DAYS, label="Remind after (days)",
                                       help_text="One reminder to those who have not answered; 0 for none.")


def field_name(question: Question) -> str:
    return f"q-{question.key}"


def answers_from_post(questions: list[Question], data: QueryDict) -> dict[str, Any]:
    """Every question's answer as posted: the page always posts the whole form, so a question
    missing from it was left (or made) blank."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = field_name(question)
        answers[question.key] = data.getlist(name) if question.kind == QuestionKind.MULTI else data.get(name)
    return answers
