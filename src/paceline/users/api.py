"""The caller's own profile and API tokens. Every role may manage its own tokens, viewers included."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from paceline.core.schemas import InputSchema
from paceline.core.services import Actor
from paceline.users.models import ApiToken
from paceline.users.services import token_create, token_revoke

router = Router(tags=["me"])


class MeOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    title: str
    role: str
    can_write: bool
    is_leader: bool


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    is_active: bool


class TokenCreated(TokenOut):
    token: str = Field(description="The raw token. It is shown this once and never stored.")


class TokenIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="What the token is for, e.g. 'CRM sync'.")


@router.get("/me", response=MeOut, summary="Who the caller is")
def me(request: HttpRequest):
    return request.auth


@router.get("/me/tokens", response=list[TokenOut], summary="The caller's API tokens, newest first")
def token_list(request: HttpRequest):
    return list(ApiToken.objects.filter(user=request.auth))


@router.post("/me/tokens", response={201: TokenCreated}, summary="Create an API token (shown once)")
def token_add(request: HttpRequest, payload: TokenIn):
    try:
        token, raw = token_create(actor=Actor(user=request.auth, via="api"), user=request.auth, name=payload.name)
    except ValueError as exc:
        # The service says "field: reason".
        field, _, reason = str(exc).partition(": ")
        raise DjangoValidationError({field: reason or str(exc)}) from None
    token.token = raw
    return Status(201, token)


@router.delete("/me/tokens/{int:token_id}", response=TokenOut, summary="Revoke one of the caller's tokens")
def token_remove(request: HttpRequest, token_id: int):
    token = ApiToken.objects.filter(pk=token_id, user=request.auth).first()
    if token is None:
        raise HttpError(404, f"You have no token with id {token_id}.")
    return token_revoke(actor=Actor(user=request.auth, via="api"), token=token)
