"""The questions a new NPS, CSAT or CES survey starts with, and the surveys every install gets.

The wording follows the standard definitions: NPS asks how likely the person is to recommend us
(0-10), CSAT how satisfied they are (1-5), CES how easy it was (1-7, higher is easier), each
followed by an open "why". Keys are short and stable because imports and the API name answers by key.
"""

from __future__ import annotations

from paceline.surveys.models import QuestionKind, SurveyKind

# What the two ends of each rated scale mean, shown under the numbers on the response page.
SCALE_ENDS = {
    QuestionKind.NPS: ("Not at all likely", "Extremely likely"),
    QuestionKind.CSAT: ("Very dissatisfied", "Very satisfied"),
    QuestionKind.CES: ("Very difficult", "Very easy"),
}

HEADLINE_QUESTIONS = {
    SurveyKind.NPS: {
        "key": "nps", "kind": QuestionKind.NPS, "required": True,
        "prompt": "How likely are you to recommend us to a friend or colleague?",
        "help_text": "0 means not at all likely, 10 extremely likely.",
    },
    SurveyKind.CSAT: {
        "key": "csat", "kind": QuestionKind.CSAT, "required": True,
        "prompt": "How satisfied are you with the help you received?",
        "help_text": "1 means very dissatisfied, 5 very satisfied.",
    },
    SurveyKind.CES: {
        "key": "ces", "kind": QuestionKind.CES, "required": True,
        "prompt": "How easy was it to get what you needed from us?",
        "help_text": "1 means very difficult, 7 very easy.",
    },
}

FOLLOW_UPS = {
    SurveyKind.NPS: {"key": "reason", "kind": QuestionKind.TEXT, "required": False,
                     "prompt": "What is the main reason for your score?", "help_text": ""},
    SurveyKind.CSAT: {"key": "comment", "kind": QuestionKind.TEXT, "required": False,
                      "prompt": "What could we have done better?", "help_text": ""},
    SurveyKind.CES: {"key": "comment", "kind": QuestionKind.TEXT, "required": False,
                     "prompt": "What made it easy or hard?", "help_text": ""},
}


def starter_questions(kind: str) -> list[dict]:
    """The questions a survey of this kind is created with (none for custom questionnaires)."""
    if kind not in HEADLINE_QUESTIONS:
        return []
    return [dict(HEADLINE_QUESTIONS[kind]), dict(FOLLOW_UPS[kind])]


DEFAULT_SURVEYS = [
    {
        "name": "Relationship NPS",
        "kind": SurveyKind.NPS,
        "intro": "Two questions, one minute: how are we doing as your partner?",
        "questions": starter_questions(SurveyKind.NPS),
    },
    {
        "name": "Support CSAT",
        "kind": SurveyKind.CSAT,
        "intro": "You were recently in touch with our team. How did it go?",
        "questions": starter_questions(SurveyKind.CSAT),
    },
    {
        "name": "Customer effort",
        "kind": SurveyKind.CES,
        "intro": "We want working with us to be easy. Tell us how it was.",
        "questions": starter_questions(SurveyKind.CES),
    },
]
