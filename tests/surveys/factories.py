"""Surveys and responses written straight through the ORM, for tests of reads and pages.

``SurveyFactory(kind="nps")`` comes with its headline question (0-10, 1-5 or 1-7 by kind) and a
"why" text question; ``ResponseFactory(survey=..., score=9, comment="...")`` stores the headline
score and the comment both on the response and as its answers, as a submitted response would be.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from paceline.surveys.models import (
    HEADLINE,
    Answer,
    Question,
    QuestionKind,
    Response,
    ResponseSource,
    Survey,
    SurveyKind,
)
from tests.factories import AccountFactory, ContactFactory

PROMPTS = {
    SurveyKind.NPS: "How likely are you to recommend us to a friend or colleague?",
    SurveyKind.CSAT: "How satisfied are you with our service?",
    SurveyKind.CES: "The company made it easy for me to handle my issue.",
}


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Survey {n}")
    kind = SurveyKind.NPS

    @factory.post_generation
    def questions(obj, create, extracted, **kwargs):
        if not create:
            return
        headline = HEADLINE.get(obj.kind)
        if headline is not None:
            QuestionFactory(survey=obj, position=1, key="score", kind=headline, prompt=PROMPTS[obj.kind], required=True)
            QuestionFactory(survey=obj, position=2, key="why", kind=QuestionKind.TEXT, prompt="What is the main reason?")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory, kind=SurveyKind.CUSTOM)
    position = factory.Sequence(lambda n: n + 10)
    key = factory.Sequence(lambda n: f"question-{n}")
    kind = QuestionKind.TEXT
    prompt = factory.Sequence(lambda n: f"Question {n}?")


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response
        skip_postgeneration_save = True

    survey = factory.SubFactory(SurveyFactory)
    account = factory.SubFactory(AccountFactory)
    contact = factory.SubFactory(ContactFactory, account=factory.SelfAttribute("..account"))
    source = ResponseSource.MANUAL
    submitted_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    started_at = factory.LazyAttribute(lambda r: (r.submitted_at or timezone.now()) - dt.timedelta(minutes=3))
    score = None
    comment = ""

    @factory.post_generation
    def answers(obj, create, extracted, **kwargs):
        if not create:
            return
        questions = {q.key: q for q in obj.survey.questions.all()}
        if obj.score is not None and "score" in questions:
            Answer.objects.create(response=obj, question=questions["score"], number=obj.score)
        if obj.comment and "why" in questions:
            Answer.objects.create(response=obj, question=questions["why"], text=obj.comment)
