from pathlib import Path

from django.contrib.staticfiles import finders
from django.template import Context, Template

from paceline.core import charts

SPEC = {"data": {"values": [{"x": 1, "y": 2}, {"x": 2, "y": "</script><b>"}]}, "mark": "line",
        "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}}}


def test_the_chart_bundle_is_a_static_file_from_the_installed_package():
    path = finders.find(charts.BUNDLE_PATH)
    assert path is not None
    code = Path(path).read_text(encoding="utf-8")
    assert "pacelineRenderCharts" in code
    assert len(code) > 300_000  # Vega, Vega-Lite and Vega-Embed are inside
    assert "cdn.jsdelivr" not in code


def test_a_spec_cannot_break_out_of_its_script_element():
    html = Template("{% load charts %}{% chart spec 'Trend' %}").render(Context({"spec": SPEC}))
    assert html.count("</script>") == 1
    assert "\\u003c/script\\u003e" in html
    assert 'type="application/vnd.vegalite+json"' in html and 'data-label="Trend"' in html


def test_the_same_spec_renders_to_svg_for_exports():
    svg = charts.render_svg({**SPEC, "data": {"values": [{"x": 1, "y": 2}, {"x": 2, "y": 5}]}})
    assert svg.startswith("<svg") and "</svg>" in svg
