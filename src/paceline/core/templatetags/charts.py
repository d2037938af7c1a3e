from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from paceline.core.charts import BUNDLE_PATH, SPEC_TYPE, spec_json

register = template.Library()


@register.simple_tag
def chart_script():
    """The chart bundle, served from our own static files. Put it in the page's head block."""
    return format_html('<script src="{}" defer></script>', static(BUNDLE_PATH))


@register.simple_tag
def chart(spec, label=""):
    """A chart drawn in the browser from a Vega-Lite spec (the spec stays in the page as JSON)."""
    # spec_json escapes <, > and & so the JSON cannot close the script element.
    body = mark_safe(spec_json(spec))  # noqa: S308
    return format_html('<div class="chart"><script type="{}" data-label="{}">{}</script></div>', SPEC_TYPE, label, body)
