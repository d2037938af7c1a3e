"""The demo's product usage: about 20 million events in the event store, key features, daily metrics.

The events (``usage_events``) are written straight to Parquet, one file per month, through the
store's writer. The demo owns the data directory: the step first empties the event store, so a
reload (``paceline demo --reset``) never counts an event twice. It then defines the key features
(``usage_catalogue.FEATURES``) as a CS leader would, and runs the metrics job over the whole history
so the usage pages and the health score have their daily snapshots from the start.

``PACELINE_DEMO_EVENTS`` sets the number of events of the default 500-account book (20 million);
a smaller or larger book gets proportionally fewer or more.
"""

from __future__ import annotations

import os
import shutil

from django.core.exceptions import ImproperlyConfigured

from paceline.ops.demo.usage_catalogue import features_payload
from paceline.ops.demo.usage_events import HISTORY_DAYS, account_spec, generate
from paceline.ops.demo.world import DEFAULT_ACCOUNTS, World
from paceline.usage import store
from paceline.usage.compute import usage_compute
from paceline.usage.models import KeyFeature

DEFAULT_EVENTS = 20_000_000
FEATURES_DEFINED = -HISTORY_DAYS  # the key features exist from the start of the history


def events_target(accounts: int) -> int:
    raw = os.environ.get("PACELINE_DEMO_EVENTS", "").strip()
    try:
        per_book = int(raw.replace("_", "")) if raw else DEFAULT_EVENTS
    except ValueError:
        raise ImproperlyConfigured(f"PACELINE_DEMO_EVENTS={raw!r}: give a whole number of events") from None
    if per_book < 0:
        raise ImproperlyConfigured(f"PACELINE_DEMO_EVENTS={raw!r}: the number of events cannot be negative")
    return round(per_book * accounts / DEFAULT_ACCOUNTS)


def clear_events() -> None:
    """Empty the event store (the caller holds ``store.writing()``): the demo starts it afresh.

    The compactor's restart point goes too: a new database numbers its inbox batches from 1 again.
    """
    for folder in store.events_dir().glob("month=*"):
        shutil.rmtree(folder)
    (store.root() / "last_batch").unlink(missing_ok=True)


def define_features(world: World) -> int:
    """The key features, as rows: a demo load records one audit entry for itself, not one per row."""
    existing = set(KeyFeature.objects.values_list("key", flat=True))
    created = KeyFeature.objects.bulk_create([KeyFeature(**spec) for spec in features_payload()
                                              if spec["key"] not in existing])
    written = world.moment(FEATURES_DEFINED, 9 * 60)
    KeyFeature.objects.filter(pk__in=[f.pk for f in created]).update(created_at=written, updated_at=written)
    return len(created)


def run(world: World, progress) -> int:
    specs = [account_spec(a, world.rng("usage", a.index).getrandbits(63)) for a in world.accounts]
    months = HISTORY_DAYS // 30 + 2
    progress.total(len(specs) + months)
    events = generate(specs, anchor=world.anchor, target=events_target(len(specs)), seed=world.config.seed,
                      on_account=progress.advance)
    written = 0
    with store.writing():
        clear_events()
        for month, table in events.month_tables():
            store.write_events(table, stem=f"fdemo-{month}")
            written += 1
            progress.advance()
    progress.advance(max(0, months - written))
    count = len(events)
    del events  # a few hundred megabytes the metrics job can use
    world.counts["usage_key_features"] = define_features(world)
    usage_compute(full=True, today=world.anchor, progress=progress)
    return count
