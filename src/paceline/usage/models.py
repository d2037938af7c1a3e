"""Product usage in the OLTP database: what the web process reads, and the ingestion journal.

The events themselves live in the event store (Parquet partitions, ``store.py``). Here are:

- ``WriteKey``: the secret a product sends events with (HTTP Basic user name), stored hashed;
- ``InboxBatch``: the ingestion journal. The web process appends the validated events of one
  request as one row and acknowledges only after the commit, so an acknowledged event is durable;
  the worker's single compactor moves batches into the event store and deletes them;
- ``UserLink``: which group (account external id) a product user belongs to, from ``group`` calls;
- ``KeyFeature``: which event names count as which key feature (defined by CS ops);
- the **daily snapshots** the metrics job writes (``AccountUsageDay``, ``AccountFeatureWeek``,
  ``AccountUserActivity``, ``UnmatchedGroup``) and the days it still has to (re)compute (``DirtyDay``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paceline.core.models import TimeStampedModel


class WriteKey(TimeStampedModel):
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a key.")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class InboxBatch(models.Model):
    """One acknowledged request's events, normalised (``ingest.pack``), waiting for the compactor."""

    received_at = models.DateTimeField()
    write_key = models.ForeignKey(WriteKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=20, default="http", help_text="http, file or api-file")
    count = models.PositiveIntegerField()
    payload = models.BinaryField(help_text="Normalised events: zlib-compressed JSON columns, or an Arrow IPC stream (files)")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "inbox batches"

    def __str__(self) -> str:
        return f"inbox batch {self.pk} ({self.count} events)"


class UserLink(models.Model):
    """A product user's group (the account's external id), from the latest ``group`` call."""

    user_id = models.CharField(max_length=200, unique=True)
    group_id = models.CharField(max_length=200, db_index=True)
    linked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


class KeyFeature(TimeStampedModel):
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    event_names = models.JSONField(default=list, help_text="Track events (or 'page:<name>') that count as using it.")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class AccountUsageDay(models.Model):
    """An account's usage metrics on one day (windows end on that day, inclusive)."""

    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, related_name="usage_days")
    day = models.DateField()
    events = models.PositiveIntegerField(default=0, help_text="Events on the day.")
    active_1d = models.PositiveIntegerField(default=0)
    active_7d = models.PositiveIntegerField(default=0)
    active_30d = models.PositiveIntegerField(default=0)
    events_30d = models.PositiveIntegerField(default=0)
    stickiness = models.FloatField(
        null=True, blank=True,
        help_text="Average DAU over 30 days (over the days since the first activity if fewer) / MAU.")
    events_per_user = models.FloatField(null=True, blank=True, help_text="Events per active user, 30 days.")
    breadth = models.PositiveSmallIntegerField(default=0, help_text="Key features used in 30 days.")
    breadth_share = models.FloatField(null=True, blank=True, help_text="Key features used / key features defined.")
    seats = models.PositiveIntegerField(null=True, blank=True)
    utilisation = models.FloatField(null=True, blank=True, help_text="Active users (30 days) / seats.")
    trend_30d = models.FloatField(null=True, blank=True, help_text="Active users (30 days) against the 30 days before.")
    days_since_last = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["account", "day"]
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="usage_day_unique")]
        indexes = [models.Index(fields=["day", "utilisation"])]

    def __str__(self) -> str:
        return f"usage of account {self.account_id} on {self.day}"


class AccountFeatureWeek(models.Model):
    """How many of an account's active users used a key feature in an ISO week (Monday)."""

    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, related_name="usage_feature_weeks")
    feature = models.CharField(max_length=60)
    week = models.DateField()
    users = models.PositiveIntegerField()
    share = models.FloatField(help_text="Users of the feature / active users of the week.")

    class Meta:
        ordering = ["account", "week", "feature"]
        constraints = [models.UniqueConstraint(fields=["account", "feature", "week"], name="usage_feature_week_unique")]

    def __str__(self) -> str:
        return f"{self.feature} in account {self.account_id}, week of {self.week}"


class AccountUserActivity(models.Model):
    """A product user's activity in an account, over the 30 days ending on ``as_of``."""

    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, related_name="usage_users")
    user_id = models.CharField(max_length=200)
    as_of = models.DateField()
    first_seen = models.DateField()
    last_seen = models.DateField()
    active_days_30d = models.PositiveSmallIntegerField(default=0)
    events_30d = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["account", "-events_30d", "user_id"]
        constraints = [models.UniqueConstraint(fields=["account", "user_id"], name="usage_user_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} in account {self.account_id}"


class UnmatchedGroup(models.Model):
    """Events whose group id names no account: kept in the store, shown to CS ops to map."""

    group_id = models.CharField(max_length=200, unique=True, help_text="Empty: events with no group at all.")
    events = models.PositiveBigIntegerField(default=0)
    users = models.PositiveIntegerField(default=0)
    first_seen = models.DateField()
    last_seen = models.DateField()

    class Meta:
        ordering = ["-events", "group_id"]

    def __str__(self) -> str:
        return self.group_id or "(no group)"


class DirtyDay(models.Model):
    """A day of events that changed since the metrics were last computed for it."""

    day = models.DateField(unique=True)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return self.day.isoformat()
