"""Pages for one's own settings (profile, API tokens, password) and for the team (CS leaders)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paceline.core.services import Actor
from paceline.users import selectors
from paceline.users.forms import (
    ActiveForm,
    ProfileForm,
    RoleForm,
    TeamUserCreateForm,
    TokenCreateForm,
    generate_password,
)
from paceline.users.models import Role
from paceline.users.permissions import leader_required
from paceline.users.services import (
    token_create,
    token_revoke,
    user_create,
    user_password_set,
    user_update,
)


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, via="web")


def _add_service_error(form, exc: Exception) -> None:
    """Show a service's refusal on the form, on the field it names when the form has one."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc))


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _one_time(response: HttpResponse) -> HttpResponse:
    # This response carries a secret that exists nowhere else: keep it out of every cache.
    add_never_cache_headers(response)
    return response


# Settings: every signed-in user, for themselves only.


def _render_settings(request, *, profile_form=None, token_form=None, created=None, status=200):
    context = {
        "nav": "settings",
        "profile_form": profile_form or ProfileForm.for_user(request.user),
        "token_form": token_form or TokenCreateForm(),
        "tokens": selectors.user_tokens(user=request.user),
        "created": created,
    }
    return render(request, "users/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_settings(request)
    form = ProfileForm.for_user(request.user, data=request.POST)
    if form.is_valid():
        try:
            user_update(actor=_actor(request), user=request.user, **form.cleaned_data)
        except (ValidationError, ValueError) as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("users:settings")
    return _render_settings(request, profile_form=form, status=400)


@login_required
@require_POST
def token_create_view(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, raw = token_create(
                actor=_actor(request), user=request.user, name=form.cleaned_data["name"]
            )
        except (ValidationError, ValueError) as exc:
            _add_service_error(form, exc)
        else:
            # Rendered, not redirected: the raw value must not travel through the session or messages.
            return _one_time(_render_settings(request, created={"token": token, "raw": raw}))
    return _render_settings(request, token_form=form, status=400)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.user_token(user=request.user, token_id=token_id)
    if token is None:
        raise Http404("No such token of yours.")
    token_revoke(actor=_actor(request), token=token)
    messages.success(
        request, f"Token “{token.name}” ({token.prefix}…) is revoked; it no longer works."
    )
    return redirect("users:settings")


class PasswordChange(PasswordChangeView):
    template_name = "users/password_change.html"
    success_url = reverse_lazy("users:settings")
    extra_context = {"nav": "settings"}

    def form_valid(self, form):
        user_password_set(
            actor=_actor(self.request), user=form.user, password=form.cleaned_data["new_password1"]
        )
        # Keep this session signed in; every other session of the user ends with the old password.
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, "Your password is changed.")
        return redirect(self.get_success_url())


# Team: CS leaders only.


def _render_team(request, *, create_form=None, created=None, error="", status=200):
    context = {
        "nav": "team",
        "members": selectors.team_list(),
        "roles": Role.choices,
        "create_form": create_form or TeamUserCreateForm(),
        "created": created,
        "error": error,
    }
    return render(request, "users/team.html", context, status=status)


@leader_required
@require_GET
def team_page(request: HttpRequest) -> HttpResponse:
    return _render_team(request)


@leader_required
@require_POST
def team_user_create(request: HttpRequest) -> HttpResponse:
    form = TeamUserCreateForm(request.POST)
    if not form.is_valid():
        return _render_team(request, create_form=form, status=400)
    data = dict(form.cleaned_data)
    generated = not data["password"]
    if generated:
        data["password"] = generate_password()
    try:
        member = user_create(actor=_actor(request), **data)
    except (ValidationError, ValueError) as exc:
        _add_service_error(form, exc)
        return _render_team(request, create_form=form, status=400)
    if generated:
        return _one_time(
            _render_team(request, created={"user": member, "password": data["password"]})
        )
    messages.success(request, f"{member.username} is created as {member.get_role_display()}.")
    return redirect("users:team")


def _team_change(request: HttpRequest, user_id: int, form, fields_from_form) -> HttpResponse:
    member = selectors.user_get(user_id=user_id)
    if member is None:
        raise Http404("No such user.")
    if not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in form.errors.items())
        return _render_team(request, error=errors, status=400)
    try:
        user_update(actor=_actor(request), user=member, **fields_from_form(form.cleaned_data))
    except (ValidationError, ValueError) as exc:
        return _render_team(request, error=_error_text(exc), status=400)
    state = "active" if member.is_active else "deactivated"
    messages.success(request, f"{member.username} is now {member.get_role_display()}, {state}.")
    if member.pk == request.user.pk and not member.is_leader:
        # They just gave up the leader role: the team page is no longer theirs to see.
        return redirect("users:settings")
    return redirect("users:team")


@leader_required
@require_POST
def team_user_role(request: HttpRequest, user_id: int) -> HttpResponse:
    return _team_change(
        request, user_id, RoleForm(request.POST), lambda data: {"role": data["role"]}
    )


@leader_required
@require_POST
def team_user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    return _team_change(
        request, user_id, ActiveForm(request.POST), lambda data: {"is_active": data["active"]}
    )
