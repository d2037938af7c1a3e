"""Reads for the import page. A run is visible to the user who uploaded it and nobody else."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from paceline.customers.models import Account, ImportRun


def import_run_get(*, user, pk: int) -> ImportRun:
    """The user's own run; someone else's is a 404, as if it did not exist."""
    return get_object_or_404(ImportRun.objects.filter(user=user), pk=pk)


def import_run_recent(*, user, limit: int = 10) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(user=user).defer("content")[:limit]


def imported_accounts(*, ids: list[int], limit: int = 50) -> list[Account]:
    """The first accounts an import touched, in the order it touched them."""
    wanted = ids[:limit]
    found = {a.pk: a for a in Account.objects.filter(pk__in=wanted).only("id", "name", "external_id")}
    return [found[pk] for pk in wanted if pk in found]
