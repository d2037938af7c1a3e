"""Health models: the list, one model's versions with its current definition in words, and the
edit form that saves a new version (CS leaders). Everyone signed in reads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from paceline.core.services import Actor
from paceline.health import queries, selectors, services
from paceline.health.explain import describe
from paceline.health.forms import ModelDefinitionForm, NewModelForm
from paceline.health.models import HealthModel
from paceline.users.permissions import leader_required


def _model(pk: int) -> HealthModel:
    model = HealthModel.objects.filter(pk=pk).first()
    if model is None:
        raise Http404("No such health model.")
    return model


@login_required
@require_safe
def model_list(request: HttpRequest) -> HttpResponse:
    return render(request, "health/models.html", {"nav": "health", "models": queries.models_list()})


@login_required
@require_safe
def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    model = _model(pk)
    versions = queries.versions(model)
    current = versions[0] if versions else None
    return render(request, "health/model.html", {
        "nav": "health", "model": model, "versions": versions, "current": current,
        "described": describe(current.definition) if current else None,
        "can_edit": request.user.is_leader,
    })


@leader_required
@require_http_methods(["GET", "POST"])
def model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    model = _model(pk)
    current = model.current
    definition = current.definition if current else {}
    form = ModelDefinitionForm(request.POST or None, definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.model_save(actor=Actor(user=request.user, via="web"), model=model,
                                          definition=form.to_definition(), note=form.cleaned_data["note"])
        except ValidationError as error:
            form.attach(error)
        else:
            unchanged = current is not None and version.pk == current.pk
            messages.success(request, f"Nothing changed: still version {version.number}." if unchanged
                             else f"Saved as version {version.number}.")
            return redirect("health:model", pk=model.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "health/model_edit.html", {"nav": "health", "model": model, "current": current,
                                                      "form": form}, status=status)


@leader_required
@require_http_methods(["GET", "POST"])
def model_new(request: HttpRequest) -> HttpResponse:
    """A model for a segment and/or stage, starting from the Standard model's current definition."""
    form = NewModelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            model = services.model_create(actor=Actor(user=request.user, via="web"),
                                          definition=selectors.default_version().definition,
                                          note="Started from the Standard model.", **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"{model.name} created; adjust its weights here.")
            return redirect("health:model_edit", pk=model.pk)
    return render(request, "health/model_new.html", {"nav": "health", "form": form})
