"""The official Segment Python SDK, pointed at Paceline, sends track/identify/group calls: each lands once."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from segment.analytics import Client

from paceline.core.services import Actor
from paceline.usage import compactor, store
from paceline.usage.models import InboxBatch, UserLink
from paceline.usage.services import write_key_create


@pytest.fixture
def usage_dir(settings, tmp_path):
    settings.USAGE_DIR = tmp_path / "usage"


def _client(live_server, key: str, errors: list) -> Client:
    return Client(key, host=live_server.url, gzip=True, upload_size=100, max_retries=2, sync_mode=False,
                  on_error=lambda error, items: errors.append((error, len(items))))


@pytest.mark.django_db(transaction=True)
def test_every_call_of_the_real_sdk_lands_once(live_server, leader, usage_dir):
    _, raw = write_key_create(actor=Actor(user=leader), name="sdk")
    errors: list = []
    client = _client(live_server, raw, errors)
    client.group("u-0", "acme", traits={"name": "Acme", "plan": "enterprise"})
    client.identify("u-0", traits={"email": "u0@acme.test", "name": "User Zero"})
    for i in range(1_000):
        client.track(f"u-{i % 37}", "Report Viewed", properties={"n": i}, context={"groupId": "acme"})
    client.page("u-1", name="Home", context={"groupId": "acme"})
    client.flush()
    client.join()
    assert errors == []
    assert sum(InboxBatch.objects.values_list("count", flat=True)) == 1_003
    assert InboxBatch.objects.count() >= 10  # the SDK sent batches of about 100

    report = compactor.inbox_drain()
    assert report.stored == 1_003 and report.duplicates == 0
    table = pa.concat_tables([pq.read_table(f) for f in store.event_files()])
    ids = table["message_id"].to_pylist()
    assert len(ids) == len(set(ids)) == 1_003
    types = table["type"].to_pylist()
    assert (types.count("track"), types.count("group"), types.count("identify"), types.count("page")) == (1000, 1, 1, 1)
    assert UserLink.objects.get(user_id="u-0").group_id == "acme"


@pytest.mark.django_db(transaction=True)
def test_the_sdk_is_refused_with_a_wrong_key_and_nothing_is_stored(live_server, leader, usage_dir):
    errors: list = []
    client = _client(live_server, "wk_wrong", errors)
    client.track("u-1", "Login", context={"groupId": "acme"})
    client.flush()
    client.join()
    assert len(errors) == 1
    assert "unknown or was revoked" in str(errors[0][0])
    assert not InboxBatch.objects.exists()
