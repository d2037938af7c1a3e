"""The voice of the customer over REST: surveys and their questions, campaigns (preview, send),
responses (one from an in-app tool, or many at once), results, relationship milestones and the
adoption-readiness assessments.

Endpoints parse and dispatch: the schema validates, references (ids, external ids, a contact's
e-mail) are looked up, and one service writes with ``Actor(via="api")``. A service's refusal comes
back as a 422 under the API's name for the field; an answer's under ``answers.<question key>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import PatchDict, Query, Router, Status
from ninja.errors import AuthorizationError, ValidationError

from paceline.core.schemas import PageParams, actor, get_or_404, page_of, ref, refuse_unknown_params
from paceline.customers.models import Account, Contact
from paceline.surveys import milestones as relationship
from paceline.surveys import selectors, services
from paceline.surveys.models import (
    Answer,
    Campaign,
    Invitation,
    InvitationStatus,
    Question,
    ReadinessAssessment,
    RelationshipMilestone,
    Response,
    ResponseSource,
    Survey,
    SurveyKind,
)
from paceline.surveys.recording import CREATED, response_upsert
from paceline.surveys.schemas import (
    BulkIn,
    BulkOut,
    CampaignDetailOut,
    CampaignFilters,
    CampaignIn,
    CampaignPage,
    CampaignSentOut,
    MilestoneFields,
    MilestoneFilters,
    MilestoneIn,
    MilestoneOut,
    MilestonePage,
    PreviewOut,
    QuestionFields,
    QuestionOut,
    ReadinessFilters,
    ReadinessOut,
    ReadinessPage,
    ReorderIn,
    ResponseFilters,
    ResponseIn,
    ResponseOut,
    ResponsePage,
    ResponseWritten,
    ResultsOut,
    ResultsParams,
    SurveyDetailOut,
    SurveyFields,
    SurveyFilters,
    SurveyIn,
    SurveyPage,
)
from paceline.users.models import User

# Services name model fields; clients know the API's names for them.
API_FIELD_NAMES = {
    "survey": "survey_id",
    "account": "account_id",
    "contact": "contact_id",
    "credited_to": "credited_to_id",
    "order": "question_ids",
}

router = Router()
surveys = Router(tags=["surveys"])
campaigns = Router(tags=["survey campaigns"])
responses = Router(tags=["survey responses"])
milestones = Router(tags=["relationship milestones"])
readiness = Router(tags=["readiness assessments"])


# Reading a request ------------------------------------------------------------------------------


def _error(loc: list, msg: str) -> dict[str, Any]:
    return {"type": "validation_error", "loc": loc, "msg": msg}


AUDIENCE_PARTS = {"segments", "stages", "roles", "account_ids"}
# A response's own fields; any other key a response service refuses is a question key.
RESPONSE_FIELDS = {
    "survey", "survey_id", "account", "account_id", "account_external_id", "contact", "contact_id",
    "contact_email", "submitted_at", "external_id", "source", "answers", "invitation",
}


def _locations(exc: DjangoValidationError, prefix: list, *, answers: bool = False) -> list[dict[str, Any]]:
    """A service's refusal, each message under the API's name for its field (answers by key)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    found = []
    for field, messages in errors.items():
        if field == NON_FIELD_ERRORS:
            loc = prefix
        elif answers and field not in RESPONSE_FIELDS:
            loc = [*prefix, "answers", field]
        elif field in AUDIENCE_PARTS:
            loc = [*prefix, "audience", field]
        else:
            loc = [*prefix, API_FIELD_NAMES.get(field, field)]
        found += [_error(loc, message) for message in messages]
    return found


@contextmanager
def _refused(*, answers: bool = False) -> Iterator[None]:
    try:
        yield
    except DjangoValidationError as exc:
        raise ValidationError(_locations(exc, ["body"], answers=answers)) from None
    except PermissionDenied as exc:
        raise AuthorizationError(message=str(exc)) from None


def _account(data: dict[str, Any]) -> Account | None:
    pk, external_id = data.pop("account_id", None), data.pop("account_external_id", None)
    if pk is not None and external_id:
        raise DjangoValidationError({"account_id": "Give account_id or account_external_id, not both."})
    if external_id:
        account = Account.objects.filter(external_id=external_id).first()
        if account is None:
            raise DjangoValidationError({"account_external_id": f"No account with external id '{external_id}'."})
        return account
    return ref(Account, "account_id", pk)


def _page(request: HttpRequest, schema: type, qs: QuerySet, page: PageParams) -> dict[str, Any]:
    refuse_unknown_params(request, schema)
    return page_of(qs, page)


# Surveys ----------------------------------------------------------------------------------------


def _survey_detail(survey_id: int) -> Survey:
    return get_or_404(Survey.objects.prefetch_related("questions"), survey_id, "survey")


@surveys.get("", response=SurveyPage, summary="List surveys (active ones unless asked)")
def survey_list(request: HttpRequest, filters: Query[SurveyFilters], page: Query[PageParams]):
    return _page(request, SurveyFilters, filters.filter(Survey.objects.all()), page)


@surveys.post("", response={201: SurveyDetailOut}, summary="Create a survey, with further questions if given")
def survey_create(request: HttpRequest, payload: SurveyIn):
    data = payload.model_dump()
    questions = data.pop("questions")
    with _refused(), transaction.atomic():
        survey = services.survey_create(actor=actor(request), **data)
        for index, question in enumerate(questions):
            try:
                services.question_add(actor=actor(request), survey=survey, **_question_fields(question))
            except DjangoValidationError as exc:
                raise ValidationError(_locations(exc, ["body", "questions", index])) from None
    return Status(201, _survey_detail(survey.pk))


@surveys.get("/{int:survey_id}", response=SurveyDetailOut, summary="Get a survey with its questions, in order")
def survey_get(request: HttpRequest, survey_id: int):
    return _survey_detail(survey_id)


@surveys.patch("/{int:survey_id}", response=SurveyDetailOut, summary="Change a survey's name, intro or thanks")
def survey_update(request: HttpRequest, survey_id: int, payload: PatchDict[SurveyFields]):
    survey = get_or_404(Survey, survey_id, "survey")
    with _refused():
        services.survey_update(actor=actor(request), survey=survey, **payload)
    return _survey_detail(survey.pk)


@surveys.post(
    "/{int:survey_id}/deactivate", response=SurveyDetailOut,
    summary="Take a survey out of use: no new campaign; its responses and results stay",
)
def survey_deactivate(request: HttpRequest, survey_id: int):
    survey = get_or_404(Survey, survey_id, "survey")
    with _refused():
        services.survey_update(actor=actor(request), survey=survey, is_active=False)
    return _survey_detail(survey.pk)


def _question_fields(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("key") is None:
        data.pop("key", None)  # the service makes one from the prompt
    return data


@surveys.post(
    "/{int:survey_id}/questions", response={201: QuestionOut}, summary="Add a question after the survey's last one"
)
def question_add(request: HttpRequest, survey_id: int, payload: QuestionFields):
    survey = get_or_404(Survey, survey_id, "survey")
    with _refused():
        question = services.question_add(actor=actor(request), survey=survey, **_question_fields(payload.model_dump()))
    return Status(201, question)


def _question(survey_id: int, question_id: int) -> Question:
    # A question is reached through its own survey only.
    return get_or_404(Question.objects.filter(survey_id=survey_id).select_related("survey"), question_id, "question")


@surveys.patch(
    "/{int:survey_id}/questions/{int:question_id}", response=QuestionOut, summary="Change a question"
)
def question_update(request: HttpRequest, survey_id: int, question_id: int, payload: PatchDict[QuestionFields]):
    question = _question(survey_id, question_id)
    with _refused():
        return services.question_update(actor=actor(request), question=question, **_question_fields(payload))


@surveys.delete(
    "/{int:survey_id}/questions/{int:question_id}", response={204: None},
    summary="Delete a question (refused once it has answers)",
)
def question_delete(request: HttpRequest, survey_id: int, question_id: int):
    question = _question(survey_id, question_id)
    with _refused():
        services.question_remove(actor=actor(request), question=question)
    return Status(204, None)


@surveys.put(
    "/{int:survey_id}/questions/order", response=SurveyDetailOut,
    summary="Put the questions in a new order (every key, once)",
)
def question_reorder(request: HttpRequest, survey_id: int, payload: ReorderIn):
    survey = get_or_404(Survey, survey_id, "survey")
    with _refused():
        services.question_reorder(actor=actor(request), survey=survey, order=payload.question_ids)
    return _survey_detail(survey.pk)


@surveys.get(
    "/{int:survey_id}/results", response=ResultsOut,
    summary="NPS, CSAT or CES of the survey's answers, with its 95% interval and a small-sample flag",
)
def survey_results(request: HttpRequest, survey_id: int, params: Query[ResultsParams]):
    refuse_unknown_params(request, ResultsParams)
    survey = get_or_404(Survey, survey_id, "survey")
    return _results(survey, params)


def _results(survey: Survey, params: ResultsParams) -> dict[str, Any]:
    metric = survey.headline_kind
    out = {"survey_id": survey.pk, "kind": survey.kind, "metric": metric, **params.model_dump()}
    if metric is None:
        submitted = params.filter(Response.objects.filter(survey=survey, submitted_at__isnull=False))
        return {**out, "n": submitted.count(), "score": None, "low": None, "high": None, "small": True}
    filters = selectors.ResultFilters(
        survey_id=survey.pk, start=params.since, end=params.until, segment=params.segment or ""
    )
    result = getattr(selectors.overall(filters=filters), metric)
    out |= {"n": result.n, "score": result.score, "low": result.low, "high": result.high, "small": result.small}
    if metric == SurveyKind.NPS:
        out |= {"promoters": result.promoters, "passives": result.passives, "detractors": result.detractors}
    elif metric == SurveyKind.CSAT:
        out["satisfied"] = result.hits
    return out


# Campaigns --------------------------------------------------------------------------------------


def _campaign_detail(campaign_id: int) -> Campaign:
    campaign = get_or_404(Campaign.objects.all(), campaign_id, "campaign")
    counts = dict(
        Invitation.objects.filter(campaign=campaign).order_by().values_list("status").annotate(n=Count("id"))
    )
    campaign.invitation_counts = {status: counts.get(status, 0) for status in InvitationStatus.values}
    return campaign


@campaigns.get("", response=CampaignPage, summary="List campaigns, newest first")
def campaign_list(request: HttpRequest, filters: Query[CampaignFilters], page: Query[PageParams]):
    return _page(request, CampaignFilters, filters.filter(Campaign.objects.all()), page)


@campaigns.post("", response={201: CampaignDetailOut}, summary="Create a campaign (a draft until sent)")
def campaign_create(request: HttpRequest, payload: CampaignIn):
    data = payload.model_dump(exclude_none=True)
    with _refused():
        survey = ref(Survey, "survey_id", data.pop("survey_id"))
        campaign = services.campaign_create(actor=actor(request), survey=survey, **data)
    return Status(201, _campaign_detail(campaign.pk))


@campaigns.get(
    "/{int:campaign_id}", response=CampaignDetailOut, summary="Get a campaign with its invitations counted by status"
)
def campaign_get(request: HttpRequest, campaign_id: int):
    return _campaign_detail(campaign_id)


def _person(contact: Contact, **extra: str) -> dict[str, Any]:
    return {"contact_id": contact.pk, "account_id": contact.account_id, "name": contact.name,
            "email": contact.email, **extra}


@campaigns.post(
    "/{int:campaign_id}/preview", response=PreviewOut,
    summary="Who would be asked now, and who not and why (unsubscribed, surveyed recently...); sends nothing",
)
def campaign_preview(request: HttpRequest, campaign_id: int):
    campaign = get_or_404(Campaign.objects.select_related("survey"), campaign_id, "campaign")
    with _refused():
        preview = services.campaign_preview(campaign=campaign)
    return {"recipients": [_person(c) for c in preview.recipients],
            "skipped": [_person(c, reason=reason) for c, reason in preview.skipped]}


@campaigns.post(
    "/{int:campaign_id}/send", response=CampaignSentOut,
    summary="Send the campaign: one personal link per recipient; sending it again invites only who became eligible",
)
def campaign_send(request: HttpRequest, campaign_id: int):
    campaign = get_or_404(Campaign.objects.select_related("survey"), campaign_id, "campaign")
    with _refused():
        result = services.campaign_send(actor=actor(request), campaign=campaign)
    campaign = _campaign_detail(campaign.pk)
    campaign.invited, campaign.skipped, campaign.already_invited = result.invited, result.skipped, result.already
    return campaign


# Responses --------------------------------------------------------------------------------------


def _responses() -> QuerySet[Response]:
    answers = Answer.objects.select_related("question")
    return Response.objects.select_related("survey").prefetch_related(Prefetch("answers", queryset=answers))


def _contact(data: dict[str, Any], account: Account | None) -> Contact | None:
    pk, email = data.pop("contact_id", None), data.pop("contact_email", None)
    if pk is not None and email:
        raise DjangoValidationError({"contact_id": "Give contact_id or contact_email, not both."})
    if pk is not None:
        return ref(Contact.objects.select_related("account"), "contact_id", pk)
    if not email:
        return None
    if account is None:
        raise DjangoValidationError({"contact_email": "A contact is found by e-mail among an account's contacts: "
                                                      "give account_id or account_external_id."})
    matches = list(Contact.objects.filter(account=account, email__iexact=email.strip())[:2])
    if len(matches) != 1:
        why = "several of its contacts have" if matches else "none of its contacts has"
        raise DjangoValidationError({"contact_email": f"The account's {why} the e-mail '{email}'; give contact_id."})
    return matches[0]


def _response_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The service's arguments from a request's row; a refusal names the row's field."""
    survey = ref(Survey.objects.prefetch_related("questions"), "survey_id", data.pop("survey_id"))
    account = _account(data)
    contact = _contact(data, account)
    if account is None:
        if contact is None:
            raise DjangoValidationError({"account_id": "Give account_id or account_external_id."})
        account = contact.account
    return {"survey": survey, "account": account, "contact": contact, **data}


def _record(request: HttpRequest, fields: dict[str, Any]) -> tuple[Response, bool]:
    if fields.get("submitted_at") is None:
        fields["submitted_at"] = timezone.now()
    response, outcome = response_upsert(actor=actor(request), source=ResponseSource.API, **fields)
    return response, outcome == CREATED


@responses.get("", response=ResponsePage, summary="List responses with their answers, newest first")
def response_list(request: HttpRequest, filters: Query[ResponseFilters], page: Query[PageParams]):
    return _page(request, ResponseFilters, filters.filter(_responses()), page)


@responses.post(
    "", response={200: ResponseWritten, 201: ResponseWritten},
    summary="Record a response from an in-app survey tool (201 created; 200 updated by its external_id)",
)
def response_create(request: HttpRequest, payload: ResponseIn):
    data = payload.model_dump()
    with _refused(answers=True):
        response, created = _record(request, _response_fields(data))
    response = get_or_404(_responses(), response.pk, "response")
    response.created = created
    return Status(201 if created else 200, response)


class _RollBack(Exception):
    pass


@responses.post(
    "/bulk", response={201: BulkOut},
    summary="Record many responses, all or nothing (a 422 lists every bad row)",
)
def response_bulk(request: HttpRequest, payload: BulkIn):
    rows = payload.model_dump()["rows"]
    problems: list[dict[str, Any]] = []
    written: list[tuple[Response, bool]] = []
    seen: dict[str, int] = {}
    try:
        with transaction.atomic():
            for index, row in enumerate(rows):
                external_id = row.get("external_id")
                if external_id and external_id in seen:
                    problems.append(_error(["body", "rows", index, "external_id"],
                                           f"Also on row {seen[external_id]}; each response may appear once."))
                    continue
                if external_id:
                    seen[external_id] = index
                try:
                    # Each row in its own savepoint: a refused row leaves the others to be checked.
                    with transaction.atomic():
                        written.append(_record(request, _response_fields(row)))
                except DjangoValidationError as exc:
                    problems += _locations(exc, ["body", "rows", index], answers=True)
            if problems:
                raise _RollBack
    except _RollBack:
        raise ValidationError(problems) from None
    found = _responses().in_bulk([response.pk for response, _ in written])
    created = sum(1 for _, new in written if new)
    return Status(201, {"count": len(written), "created": created, "updated": len(written) - created,
                        "items": [found[response.pk] for response, _ in written]})


@responses.get("/{int:response_id}", response=ResponseOut, summary="Get a response with its answers")
def response_get(request: HttpRequest, response_id: int):
    return get_or_404(_responses(), response_id, "response")


# Relationship milestones ------------------------------------------------------------------------


def _milestone_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "contact_id" in data:
        data["contact"] = ref(Contact, "contact_id", data.pop("contact_id"))
    if "credited_to_id" in data:
        data["credited_to"] = ref(User, "credited_to_id", data.pop("credited_to_id"))
    return data


@milestones.get("", response=MilestonePage, summary="List relationship milestones, latest first")
def milestone_list(request: HttpRequest, filters: Query[MilestoneFilters], page: Query[PageParams]):
    if filters.credited_to == "me":
        filters = filters.model_copy(update={"credited_to": str(request.auth.pk)})
    return _page(request, MilestoneFilters, filters.filter(RelationshipMilestone.objects.all()), page)


@milestones.post(
    "", response={201: MilestoneOut},
    summary="Record a reference, case study, review, executive access or budget-planning involvement",
)
def milestone_create(request: HttpRequest, payload: MilestoneIn):
    data = payload.model_dump(exclude_unset=True)
    with _refused():
        account = _account(data)
        if account is None:
            raise DjangoValidationError({"account_id": "Give account_id or account_external_id."})
        milestone = relationship.milestone_create(actor=actor(request), account=account, **_milestone_fields(data))
    return Status(201, milestone)


@milestones.get("/{int:milestone_id}", response=MilestoneOut, summary="Get a relationship milestone")
def milestone_get(request: HttpRequest, milestone_id: int):
    return get_or_404(RelationshipMilestone, milestone_id, "milestone")


@milestones.patch("/{int:milestone_id}", response=MilestoneOut, summary="Change a relationship milestone")
def milestone_update(request: HttpRequest, milestone_id: int, payload: PatchDict[MilestoneFields]):
    milestone = get_or_404(RelationshipMilestone.objects.select_related("account"), milestone_id, "milestone")
    with _refused():
        return relationship.milestone_update(actor=actor(request), milestone=milestone, **_milestone_fields(payload))


@milestones.delete("/{int:milestone_id}", response={204: None}, summary="Delete a relationship milestone")
def milestone_delete(request: HttpRequest, milestone_id: int):
    milestone = get_or_404(RelationshipMilestone.objects.select_related("account"), milestone_id, "milestone")
    relationship.milestone_delete(actor=actor(request), milestone=milestone)
    return Status(204, None)


# Readiness assessments --------------------------------------------------------------------------


@readiness.get("", response=ReadinessPage, summary="List adoption-readiness assessments, latest first")
def readiness_list(request: HttpRequest, filters: Query[ReadinessFilters], page: Query[PageParams]):
    return _page(request, ReadinessFilters, filters.filter(ReadinessAssessment.objects.all()), page)


@readiness.get("/{int:assessment_id}", response=ReadinessOut, summary="Get an adoption-readiness assessment")
def readiness_get(request: HttpRequest, assessment_id: int):
    return get_or_404(ReadinessAssessment, assessment_id, "readiness assessment")


router.add_router("/surveys", surveys)
router.add_router("/campaigns", campaigns)
router.add_router("/survey-responses", responses)
router.add_router("/relationship-milestones", milestones)
router.add_router("/readiness-assessments", readiness)
