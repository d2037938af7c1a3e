"""Add and edit the customer's people, and record that someone left (writers only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from paceline.customers import services
from paceline.customers.forms import ContactForm, ContactLeftForm
from paceline.customers.models import Contact
from paceline.customers.views.common import account_or_404, form_page, posted, web_actor
from paceline.users.permissions import writer_required


@writer_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    form = ContactForm(posted(request), account=account)
    return form_page(
        request,
        form=form,
        save=lambda data: services.contact_create(actor=web_actor(request), account=account, **data),
        success=lambda contact: f"Contact “{contact.name}” added.",
        account=account,
        title="New contact",
        submit="Add contact",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    account = account_or_404(pk)
    contact = get_object_or_404(Contact, pk=contact_id, account=account)
    form = ContactForm(posted(request), instance=contact, account=account)
    return form_page(
        request,
        form=form,
        save=lambda data: services.contact_update(actor=web_actor(request), contact=contact, **data),
        success=lambda contact: f"Contact “{contact.name}” saved.",
        account=account,
        title=f"Edit {contact.name}",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def contact_left(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    account = account_or_404(pk)
    contact = get_object_or_404(Contact, pk=contact_id, account=account)
    form = ContactLeftForm(posted(request))
    return form_page(
        request,
        form=form,
        save=lambda data: services.contact_mark_departed(actor=web_actor(request), contact=contact, **data),
        success=lambda contact: f"{contact.name} is marked as having left on {contact.left_on:%Y-%m-%d}.",
        account=account,
        title=f"Mark {contact.name} as left",
        submit="Mark as left",
        intro="They stay in the chain of command and on past interactions, shown as left.",
    )
