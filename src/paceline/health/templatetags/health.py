from django import template

from paceline.health.queries import trend as trend_of

register = template.Library()


@register.filter
def trend(now, before) -> str:
    """Renewal's direction against 30 days before: "up", "down", "flat" or empty."""
    return trend_of(now, before)


@register.filter
def percent(share) -> str:
    return "" if share is None else f"{share * 100:.0f}%"
