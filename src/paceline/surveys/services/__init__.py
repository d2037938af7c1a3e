"""Writes on surveys. Pages, the API, imports, the worker and the demo call these.

Like every service: keyword-only, ``ValidationError`` keyed by field (answers: by question key),
audit entries and outbox events in the same transaction, e-mail only after commit. Split by idea;
everything is importable from here.
"""

from paceline.surveys.services.answers import Value, band, clean_answers, clean_value
from paceline.surveys.services.audience import (
    AudiencePreview,
    Skip,
    audience_clean,
    audience_contacts,
)
from paceline.surveys.services.builder import (
    question_add,
    question_move,
    question_remove,
    question_reorder,
    question_update,
    require_editor,
    survey_create,
    survey_update,
)
from paceline.surveys.services.campaigns import (
    DEFAULT_MESSAGE,
    DEFAULT_SUBJECT,
    SendResult,
    campaign_create,
    campaign_preview,
    campaign_send,
    campaign_update,
    invitations_deliver,
    invitations_expire,
    reminders_send,
    unsubscribe,
    unsubscribe_check,
)
from paceline.surveys.services.links import LinkGone, LinkUsed
from paceline.surveys.services.responses import (
    invitation_open,
    response_record,
    response_save,
    response_submit,
)

__all__ = [
    "AudiencePreview",
    "DEFAULT_MESSAGE",
    "DEFAULT_SUBJECT",
    "LinkGone",
    "LinkUsed",
    "SendResult",
    "Skip",
    "Value",
    "audience_clean",
    "audience_contacts",
    "band",
    "campaign_create",
    "campaign_preview",
    "campaign_send",
    "campaign_update",
    "clean_answers",
    "clean_value",
    "invitation_open",
    "invitations_deliver",
    "invitations_expire",
    "question_add",
    "question_move",
    "question_remove",
    "question_reorder",
    "question_update",
    "reminders_send",
    "require_editor",
    "response_record",
    "response_save",
    "response_submit",
    "survey_create",
    "survey_update",
    "unsubscribe",
    "unsubscribe_check",
]
