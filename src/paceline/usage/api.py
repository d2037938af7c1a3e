"""The usage API: write keys and key features (CS leaders change them), an account's daily usage,
its most active users and feature adoption, unmatched groups, and events uploaded as a file.

Events themselves arrive through the Segment-compatible endpoints at ``/v1/`` (write keys), not
here. An uploaded file is checked row by row here and its valid rows are journaled in the inbox
(the web process never writes the event store); the worker's compactor stores them.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.db import transaction
from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.errors import AuthorizationError, HttpError, ValidationError
from ninja.files import UploadedFile

from paceline.core.schemas import PageParams, actor, get_or_404, page_of
from paceline.customers.models import Account
from paceline.usage import bulk, ingest, services
from paceline.usage.models import (
    AccountFeatureWeek,
    AccountUsageDay,
    AccountUserActivity,
    KeyFeature,
    UnmatchedGroup,
    WriteKey,
)
from paceline.usage.schemas import (
    FeatureIn,
    FeatureOut,
    FeatureUpdate,
    FeatureWeekOut,
    FileIngestOut,
    UnmatchedOut,
    UsageDayOut,
    UsageUserOut,
    WriteKeyCreated,
    WriteKeyIn,
    WriteKeyOut,
    WriteKeyPage,
)
from paceline.users.permissions import api_leader_only as leader_only
from paceline.users.permissions import is_leader

router = Router(tags=["Product usage"])
JOURNAL_ROWS = 20_000  # rows per inbox batch for an uploaded file


class Window(Schema):
    since: dt.date | None = None
    until: dt.date | None = None


def _invalid(exc: ValueError) -> ValidationError:
    field, _, message = str(exc).partition(": ")
    return ValidationError([{"type": "validation_error", "loc": ["body", field], "msg": message or str(exc)}])


@router.get("/usage/write-keys", response=WriteKeyPage, summary="Write keys (CS leaders)")
def write_key_list(request: HttpRequest, page: Query[PageParams]):
    if not is_leader(request.auth):
        raise AuthorizationError(message="Only a CS leader may see write keys.")
    return page_of(WriteKey.objects.all(), page)


@router.post("/usage/write-keys", response={201: WriteKeyCreated}, summary="Create a write key (CS leaders)")
def write_key_add(request: HttpRequest, payload: WriteKeyIn):
    leader_only(request, "write keys")
    try:
        key, raw = services.write_key_create(actor=actor(request), name=payload.name)
    except ValueError as exc:
        raise _invalid(exc) from None
    key.key = raw
    return Status(201, key)


@router.post("/usage/write-keys/{key_id}/revoke", response=WriteKeyOut, summary="Revoke a write key (CS leaders)")
def write_key_remove(request: HttpRequest, key_id: int):
    leader_only(request, "write keys")
    key = get_or_404(WriteKey.objects.all(), key_id, "write key")
    return services.write_key_revoke(actor=actor(request), key=key)


@router.get("/usage/features", response=list[FeatureOut], summary="Key features")
def feature_list(request: HttpRequest):
    return list(KeyFeature.objects.all())


@router.post("/usage/features", response={201: FeatureOut}, summary="Define a key feature (CS leaders)")
def feature_add(request: HttpRequest, payload: FeatureIn):
    leader_only(request, "key features")
    try:
        feature = services.key_feature_create(actor=actor(request), **payload.dict())
    except ValueError as exc:
        raise _invalid(exc) from None
    return Status(201, feature)


@router.put("/usage/features/{feature_id}", response=FeatureOut, summary="Change a key feature (CS leaders)")
def feature_change(request: HttpRequest, feature_id: int, payload: FeatureUpdate):
    leader_only(request, "key features")
    feature = get_or_404(KeyFeature.objects.all(), feature_id, "key feature")
    try:
        return services.key_feature_update(actor=actor(request), feature=feature, **payload.dict())
    except ValueError as exc:
        raise _invalid(exc) from None


@router.delete("/usage/features/{feature_id}", response={204: None}, summary="Remove a key feature (CS leaders)")
def feature_remove(request: HttpRequest, feature_id: int):
    leader_only(request, "key features")
    feature = get_or_404(KeyFeature.objects.all(), feature_id, "key feature")
    services.key_feature_delete(actor=actor(request), feature=feature)
    return Status(204, None)


@router.get("/accounts/{account_id}/usage", response=list[UsageDayOut], summary="An account's daily usage")
def account_usage(request: HttpRequest, account_id: int, window: Query[Window]):
    account = get_or_404(Account.objects.all(), account_id, "account")
    until = window.until or dt.date.today()
    since = window.since or until - dt.timedelta(days=90)
    if since > until:
        raise HttpError(422, "since: must be on or before until")
    return list(AccountUsageDay.objects.filter(account=account, day__range=(since, until)).order_by("day"))


@router.get("/accounts/{account_id}/usage/users", response=list[UsageUserOut],
            summary="An account's product users, most active first (30 days)")
def account_usage_users(request: HttpRequest, account_id: int):
    account = get_or_404(Account.objects.all(), account_id, "account")
    return list(AccountUserActivity.objects.filter(account=account).order_by("-events_30d", "user_id")[:500])


@router.get("/accounts/{account_id}/usage/features", response=list[FeatureWeekOut],
            summary="An account's key-feature adoption by week")
def account_usage_features(request: HttpRequest, account_id: int, window: Query[Window]):
    account = get_or_404(Account.objects.all(), account_id, "account")
    qs = AccountFeatureWeek.objects.filter(account=account)
    if window.since:
        qs = qs.filter(week__gte=window.since)
    if window.until:
        qs = qs.filter(week__lte=window.until)
    return list(qs.order_by("week", "feature"))


@router.get("/usage/unmatched", response=list[UnmatchedOut], summary="Groups with events but no account")
def unmatched(request: HttpRequest):
    return list(UnmatchedGroup.objects.all()[:1000])


@router.post("/usage/events/file", response=FileIngestOut,
             summary="Upload events as a Parquet, CSV or JSON-lines file (CS leaders)")
def events_file(request: HttpRequest, file: File[UploadedFile], format: str = ""):
    """Rows are checked like ``paceline ingest``; the valid ones are journaled (stored by the worker
    within a minute), the others named by line and field. Nothing is journaled if the file as a
    whole cannot be read."""
    leader_only(request, "usage events")
    suffix = Path(file.name or "").suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in file.chunks():
            handle.write(chunk)
        handle.flush()
        path = Path(handle.name)
        try:
            fmt = bulk.file_format(Path(file.name or path.name), format)
            prefix = f"file-{bulk.digest(path)}"
            received_at = dt.datetime.now(dt.UTC)
            checked = [bulk.check(batch, first=first, id_prefix=prefix, received_at=received_at)
                       for batch, first in bulk.read(path, fmt)]
        except bulk.FileError as exc:
            raise HttpError(422, str(exc)) from None
    rows = sum(c.table.num_rows + c.rejected for c in checked)
    accepted = 0
    with transaction.atomic():
        for result in checked:
            table = result.table
            for start in range(0, table.num_rows, JOURNAL_ROWS):
                part = table.slice(start, JOURNAL_ROWS)
                services.inbox_append(payload=ingest.pack_arrow(part), count=part.num_rows, write_key=None,
                                      source="api-file")
                accepted += part.num_rows
    errors = [e.as_dict() for c in checked for e in c.errors][: bulk.MAX_ERRORS]
    return {"rows": rows, "accepted": accepted, "rejected": rows - accepted, "errors": errors}

