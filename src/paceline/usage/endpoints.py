"""Segment's HTTP Tracking API: ``POST /v1/track``, ``identify``, ``group``, ``page``, ``screen``, ``batch``.

Plain Django views, not the ninja API: they speak Segment's shapes to Segment's clients and stay
cheap per request. Each request is authenticated by a write key (HTTP Basic user name, or
``writeKey`` in the body as Segment allows), checked, and its valid events journaled in one
inbox row; the answer (200) is sent only after that row is committed, so an acknowledged event
is durable. A malformed message in a batch is named in the answer and the rest are kept.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from paceline.usage import ingest, services

SINGLE = ("track", "identify", "group", "page", "screen")


def _error(status: int, message: str, **extra) -> JsonResponse:
    response = JsonResponse({"success": False, "error": message, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="paceline ingestion"'
    return response


def _basic_user(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return ""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[0]


def _receive(request: HttpRequest, kind: str | None) -> HttpResponse:
    limit = ingest.MAX_BATCH_BYTES if kind is None else ingest.MAX_EVENT_BYTES
    length = request.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > limit * 4:  # not even gzip gets that much smaller
        return _error(413, f"the body is larger than {limit // 1024} KB (Segment's limit for this endpoint)")
    try:
        data = ingest.parse_body(request.body, encoding=request.headers.get("Content-Encoding", ""), limit=limit)
    except ingest.BodyError as exc:
        return _error(exc.status, str(exc))

    raw_key = _basic_user(request) or (data.get("writeKey") if isinstance(data.get("writeKey"), str) else "")
    if not raw_key:
        return _error(401, "authenticate with a write key as the HTTP Basic user name")
    key = services.write_key_authenticate(raw_key)
    if key is None:
        return _error(401, "this write key is unknown or was revoked")

    received_at = timezone.now()
    rows = ingest.Rows()
    group_property = settings.USAGE_GROUP_PROPERTY
    if kind is None:
        try:
            rejected = ingest.normalise_batch(data, rows, received_at=received_at, group_property=group_property,
                                              body_bytes=len(request.body))
        except ingest.BodyError as exc:
            return _error(exc.status, str(exc))
    else:
        try:
            ingest.normalise(data, rows, kind=kind, received_at=received_at, group_property=group_property,
                             size_checked=True)
        except ingest.EventError as exc:
            return _error(400, str(exc), field=exc.field)
        rejected = []

    if not rows:
        if rejected:
            return _error(400, "no message in the batch is valid", rejected=[r.as_dict() for r in rejected])
        return JsonResponse({"success": True, "accepted": 0})
    with transaction.atomic():
        services.inbox_append(payload=rows.pack(), count=len(rows), write_key=key)
        services.write_key_touch(key, at=received_at)
    answer: dict = {"success": True, "accepted": len(rows)}
    if rejected:
        answer["rejected"] = [r.as_dict() for r in rejected]
    return JsonResponse(answer)


@csrf_exempt
@require_POST
def batch(request: HttpRequest) -> HttpResponse:
    return _receive(request, None)


def _single(kind: str):
    @csrf_exempt
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        return _receive(request, kind)

    view.__name__ = kind
    return view


track, identify, group, page, screen = (_single(k) for k in SINGLE)
