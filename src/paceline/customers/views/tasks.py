"""Create, edit and complete tasks (writers only). Completing is one click, swapped in by HTMX."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from paceline.customers import selectors, services
from paceline.customers.forms import TaskForm
from paceline.customers.models import Task
from paceline.customers.views.common import (
    account_or_404,
    form_page,
    posted,
    wants_fragment,
    web_actor,
)
from paceline.users.permissions import writer_required


@writer_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    form = TaskForm(posted(request), initial={"owner": account.owner_id or request.user.pk})
    return form_page(
        request,
        form=form,
        save=lambda data: services.task_create(actor=web_actor(request), account=account, **data),
        success=lambda task: f"Task “{task.title}” created.",
        account=account,
        title="New task",
        submit="Create task",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    account = account_or_404(pk)
    task = get_object_or_404(Task, pk=task_id, account=account)
    form = TaskForm(posted(request), instance=task)
    return form_page(
        request,
        form=form,
        save=lambda data: services.task_update(actor=web_actor(request), task=task, **data),
        success=lambda task: f"Task “{task.title}” saved.",
        account=account,
        title=f"Edit task: {task.title}",
    )


@writer_required
@require_POST
def task_complete(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    account = account_or_404(pk)
    task = get_object_or_404(Task, pk=task_id, account=account)
    services.task_complete(actor=web_actor(request), task=task)
    if not wants_fragment(request):
        messages.success(request, f"Task “{task.title}” completed.")
        return redirect("customers:account", pk=account.pk)
    context = {
        "account": account,
        "open_tasks": selectors.account_open_tasks(account=account),
        "can_write": True,
        "completed": task,
    }
    response = render(request, "customers/account.html#open-tasks", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
