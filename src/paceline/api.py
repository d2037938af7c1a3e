"""The REST API's composition root: one NinjaAPI, a Router per app.

Who may call: every endpoint needs an API token (``Authorization: Bearer pl_...``) or a signed-in
session; viewers read only (see ``users.auth``). Errors are JSON: ``{"detail": "..."}`` or, for
bad input, ``{"detail": [{"loc": [...], "msg": "..."}]}`` naming each field.

The docs page (``/api/v1/docs``) loads Swagger UI from django-ninja's own static files (``ninja``
is in INSTALLED_APPS), so it renders with no internet access.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError

from paceline.automation.api import router as automation_router
from paceline.core.api import router as audit_router
from paceline.customers.api import API_FIELD_NAMES
from paceline.customers.api import router as customers_router
from paceline.engagement.api import router as engagement_router
from paceline.health.api import router as health_router
from paceline.success.api import router as success_router
from paceline.surveys.api import router as surveys_router
from paceline.usage.api import router as usage_router
from paceline.users.api import router as me_router
from paceline.users.auth import UNAUTHENTICATED_MESSAGE, api_auth, self_service_auth

api = NinjaAPI(
    title="Paceline API",
    version="1",
    description=(
        "Customer success platform: accounts, people, contracts, timeline and tasks; success plans "
        "with goals, metrics, pacing, commitments and share links; the voice of the customer: surveys, "
        "campaigns, responses (from in-app tools too), NPS/CSAT/CES results, relationship milestones "
        "and adoption-readiness assessments.\n\n"
        "Authenticate with `Authorization: Bearer pl_...` (create a token on your settings page or "
        "with `paceline token create`). Viewers can read; CSMs and CS leaders can also write. "
        "Money is a decimal string next to its currency. Lists take `limit` and `offset` and "
        "return `count` and `items`."
    ),
    urls_namespace="api",
    auth=api_auth(),
    # validatorUrl: Swagger UI would otherwise fetch a badge from an online validator.
    docs=Swagger(settings={"validatorUrl": None}),
)

api.add_router("/", customers_router)
api.add_router("/", audit_router)
api.add_router("/", success_router)
api.add_router("/", surveys_router)
api.add_router("/", engagement_router)
api.add_router("/", automation_router)
api.add_router("/", health_router)
api.add_router("/", usage_router)
api.add_router("/", me_router, auth=self_service_auth())


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else UNAUTHENTICATED_MESSAGE
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # ninja says only "Cannot parse request body"; the parser knows where and why.
        message = f"Malformed JSON in the request body: {exc.__cause__}"
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(DjangoValidationError)
def _service_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused the input: 422, one entry per field, in ninja's own error shape."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    detail = [
        {
            "type": "validation_error",
            "loc": ["body"] if field == NON_FIELD_ERRORS else ["body", API_FIELD_NAMES.get(field, field)],
            "msg": message,
        }
        for field, messages in errors.items()
        for message in messages
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(IntegrityError)
def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # Validation catches duplicates first; this is the race where two writers passed it at once.
    return api.create_response(
        request, {"detail": "The change conflicts with another record (a duplicate external_id?)."}, status=409
    )


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _unstorable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Schemas refuse what they can name (NUL characters, huge ids); this is the net under them,
    # so a value the database cannot store is the caller's 400, never a 500.
    reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return api.create_response(request, {"detail": f"A value cannot be stored: {reason}"}, status=400)
