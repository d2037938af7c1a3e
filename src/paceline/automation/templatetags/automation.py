"""Template filters of the automation pages."""

from django import template

register = template.Library()


@register.filter
def why_text(why) -> str:
    """A firing's why as people read it: ``contact Jane Roe · left on 2026-03-01``."""
    if not isinstance(why, dict):
        return ""
    parts = []
    for key, value in why.items():
        if value in (None, "", []):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        parts.append(f"{key.replace('_', ' ')} {shown}")
    return " · ".join(parts)
