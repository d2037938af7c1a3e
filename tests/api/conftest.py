"""API clients for the personas: each sends its own API token, as a script would."""

from __future__ import annotations

import json

import pytest
from django.test import Client

BASE = "/api/v1"


class ApiClient:
    """A Django test client that speaks JSON to /api/v1 with a bearer token (or none)."""

    def __init__(self, token: str | None = None, **client_kwargs) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = Client(headers=headers, **client_kwargs)

    def _send(self, method: str, path: str, data=None, raw: str | None = None):
        body = raw if raw is not None else (json.dumps(data) if data is not None else "")
        return getattr(self.client, method)(BASE + path, body, content_type="application/json")

    def get(self, path: str, params: dict | None = None):
        return self.client.get(BASE + path, params or {})

    def post(self, path: str, data=None, *, raw: str | None = None):
        return self._send("post", path, data, raw)

    def put(self, path: str, data=None, *, raw: str | None = None):
        return self._send("put", path, data, raw)

    def patch(self, path: str, data=None, *, raw: str | None = None):
        return self._send("patch", path, data, raw)

    def delete(self, path: str):
        return self.client.delete(BASE + path)


def error_fields(response) -> set[str]:
    """The field names a 4xx JSON error names (the last element of each loc)."""
    return {str(e["loc"][-1]) for e in response.json()["detail"]}


@pytest.fixture
def api_for(api_token_for):
    return lambda user: ApiClient(api_token_for(user))


@pytest.fixture
def csm_api(csm, api_for):
    return api_for(csm)


@pytest.fixture
def leader_api(leader, api_for):
    return api_for(leader)


@pytest.fixture
def viewer_api(viewer, api_for):
    return api_for(viewer)


@pytest.fixture
def anon_api(db):
    return ApiClient()
