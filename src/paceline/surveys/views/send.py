"""The send wizard (audience → message → preview → send) and a campaign's page.

The campaign is a draft from the first step on, so each step is a plain form on its own URL and
the preview is the campaign's page until it is sent; after that the same page lists every
invitation with its status.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paceline.customers.models import Account
from paceline.surveys import emails, services
from paceline.surveys.forms import AudienceForm, MessageForm
from paceline.surveys.models import Campaign, CampaignStatus, InvitationStatus
from paceline.surveys.views.builder import form_page, posted, survey_or_404, web_actor
from paceline.users.permissions import can_write, writer_required

STEPS = ("Audience", "Message", "Preview", "Sent")
SHOWN_SKIPPED = 200
PLACEHOLDER_LINK = "your-personal-link"  # shown where each recipient's own token goes


def campaign_or_404(campaign_id: int) -> Campaign:
    try:
        return Campaign.objects.select_related("survey", "created_by").get(pk=campaign_id)
    except Campaign.DoesNotExist:
        raise Http404("No campaign with this id.") from None


def campaign_url(campaign: Campaign) -> str:
    return reverse("surveys:campaign", args=[campaign.pk])


def _draft(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.DRAFT:
        raise Http404("This campaign was sent; its audience and message no longer change.")


def _steps(current: str, campaign: Campaign | None = None) -> dict[str, Any]:
    return {"steps": STEPS, "step": current, "campaign": campaign}


def _wizard_form(request, *, form, survey, campaign, step, save, title, submit, intro="") -> HttpResponse:
    return form_page(
        request, form=form, survey=survey, title=title, submit=submit, intro=intro, save=save,
        done=lambda c: f"{step} saved.", then=lambda c: _next(c, step), extra=_steps(step, campaign),
        cancel=campaign_url(campaign) if campaign else reverse("surveys:builder", args=[survey.pk]),
    )


def _next(campaign: Campaign, step: str) -> str:
    if step == "Audience":
        return reverse("surveys:campaign_message", args=[campaign.pk])
    return campaign_url(campaign)


@writer_required
@require_http_methods(["GET", "POST"])
def send_start(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Step 1 for a new campaign: its audience. ``?account=<id>`` starts with that account."""
    survey = survey_or_404(survey_id)
    initial: dict[str, Any] = {}
    account_id = request.GET.get("account", "")
    if account_id.isdigit():
        account = Account.objects.filter(pk=int(account_id)).only("name", "external_id").first()
        initial["accounts"] = (account.external_id or account.name) if account else ""
    form = AudienceForm(posted(request), initial=initial)
    return _wizard_form(
        request, form=form, survey=survey, campaign=None, step="Audience", submit="Next: the message",
        title=f"Send {survey.name}: who receives it",
        intro="Choose segments, lifecycle stages or accounts, and which contacts of them.",
        save=lambda _: services.campaign_create(actor=web_actor(request), survey=survey, audience=form.audience()),
    )


@writer_required
@require_http_methods(["GET", "POST"])
def campaign_audience(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(campaign_id)
    _draft(campaign)
    form = AudienceForm(posted(request), initial=AudienceForm.initial_for(campaign.audience))
    return _wizard_form(
        request, form=form, survey=campaign.survey, campaign=campaign, step="Audience", submit="Next: the message",
        title=f"Send {campaign.survey.name}: who receives it",
        save=lambda _: services.campaign_update(actor=web_actor(request), campaign=campaign, audience=form.audience()),
    )


@writer_required
@require_http_methods(["GET", "POST"])
def campaign_message(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(campaign_id)
    _draft(campaign)
    initial = {name: getattr(campaign, name) for name in ("name", "subject", "message", "expires_days", "reminder_days")}
    form = MessageForm(posted(request), initial=initial)
    return _wizard_form(
        request, form=form, survey=campaign.survey, campaign=campaign, step="Message", submit="Next: preview",
        title=f"Send {campaign.survey.name}: the e-mail",
        save=lambda data: services.campaign_update(actor=web_actor(request), campaign=campaign, **data),
    )


def _email_preview(campaign: Campaign, preview: services.AudiencePreview) -> emails.RenderedEmail:
    """The e-mail as the first recipient would get it, with a stand-in for their personal links."""
    contact = preview.recipients[0] if preview.recipients else None
    return emails.render_invitation(
        campaign=campaign, name=contact.name if contact else "Jane Doe",
        company=contact.account.name if contact else "Example Inc.",
        respond_link=emails.absolute_url(reverse("respond:respond", args=[PLACEHOLDER_LINK])),
        unsubscribe_link=emails.absolute_url(reverse("respond:unsubscribe", args=[PLACEHOLDER_LINK])),
        expires_at=None,
    )


@login_required
@require_safe
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A draft: the preview (who receives it, who is skipped and why, the e-mail). Sent: every
    invitation's status, and anyone the audience gained since."""
    campaign = campaign_or_404(campaign_id)
    preview = services.campaign_preview(campaign=campaign)
    context: dict[str, Any] = {
        "campaign": campaign, "survey": campaign.survey, "preview": preview, "nav": "surveys",
        "skipped": preview.skipped[:SHOWN_SKIPPED], "more_skipped": max(0, len(preview.skipped) - SHOWN_SKIPPED),
        "can_write": can_write(request.user), "draft": campaign.status == CampaignStatus.DRAFT,
        "email": _email_preview(campaign, preview),
        **_steps("Preview" if campaign.status == CampaignStatus.DRAFT else "Sent", campaign),
    }
    if not context["draft"]:
        invitations = list(campaign.invitations.select_related("contact", "account").order_by(
            "account__name", "contact__name", "id"))
        counts = Counter(i.status for i in invitations)
        context["invitations"] = invitations
        context["undelivered"] = counts[InvitationStatus.PENDING]
        context["status_counts"] = [(label, counts[value]) for value, label in InvitationStatus.choices if counts[value]]
    return render(request, "surveys/send_campaign.html", context)


@writer_required
@require_POST
def campaign_send(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(campaign_id)
    try:
        result = services.campaign_send(actor=web_actor(request), campaign=campaign)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"Not sent: {message}")
        return redirect(campaign_url(campaign))
    if result.invited:
        messages.success(request, f"Sending to {result.invited} contact{'s' if result.invited != 1 else ''}; "
                                  f"{result.skipped} skipped.")
    elif result.retried:
        messages.success(request, f"Trying again to deliver {result.retried} e-mail{'s' if result.retried != 1 else ''}.")
    else:
        messages.warning(request, "Nothing was sent: everyone in the audience is already invited or skipped.")
    return redirect(campaign_url(campaign))
