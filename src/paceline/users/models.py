"""People who log in to Paceline, their roles, and their API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    LEADER = "leader", "CS leader"
    CSM = "csm", "CSM"
    VIEWER = "viewer", "Viewer"


class User(AbstractUser):
    """A member of the vendor's CS team.

    The role decides what they may do: a CS leader everything (settings, users), a CSM works any
    account (their book is the default view), a viewer reads only.
    """

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CSM)
    title = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_leader(self) -> bool:
        return self.is_active and (self.role == Role.LEADER or self.is_superuser)

    @property
    def can_write(self) -> bool:
        """May change customer records (accounts, contacts, interactions, tasks...)."""
        return self.is_active and (self.role in {Role.LEADER, Role.CSM} or self.is_superuser)


def token_hash(raw: str) -> str:
    # Tokens are 256-bit random values, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user API token. The raw value is shown once; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="First characters, to recognise the token.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
