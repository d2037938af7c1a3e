"""The burn-up chart of a metric as a Vega-Lite spec: one spec for the page, the share and the PDF."""

from __future__ import annotations

import datetime as dt

from paceline.success import pacing
from paceline.success.models import SuccessMetric

COLORS = {"measured": "#1f6feb", "target": "#1a7f37", "projection": "#9a6700", "pace line": "#8c959f"}


def burnup_spec(metric: SuccessMetric, pace: pacing.Pace, *, width: int | str = "container", height: int = 220) -> dict:
    """Baseline and measurements, the pace line through the laps to the target, the target line,
    and the projection from the latest value to the target date."""
    unit = metric.get_unit_display()
    rows: list[dict] = []

    def add(series: str, on: dt.date, value: float | None) -> None:
        if value is not None:
            rows.append({"series": series, "date": on.isoformat(), "value": round(float(value), 4),
                         "label": pacing.format_value(metric.unit, value, metric.currency)})

    add("measured", metric.baseline_date, metric.baseline)
    for m in metric.measurements.all():
        add("measured", m.measured_on, m.value)
    knots = [(metric.baseline_date, metric.baseline), *((c.due_on, c.target) for c in metric.checkpoints.all()),
             (metric.target_date, metric.target)]
    for on, value in knots:
        add("pace line", on, value)
    add("target", metric.baseline_date, metric.target)
    add("target", metric.target_date, metric.target)
    if pace.current is not None and pace.projected is not None and pace.current.on < metric.target_date:
        add("projection", pace.current.on, pace.current.value)
        add("projection", metric.target_date, pace.projected)
    laps = [{"date": c.due_on.isoformat(), "value": float(c.target), "label": c.label or "checkpoint"}
            for c in metric.checkpoints.all()]
    series = [s for s in COLORS if any(r["series"] == s for r in rows)]
    layers: list[dict] = [
        {
            "data": {"values": rows},
            "mark": {"type": "line", "point": True, "interpolate": "linear"},
            "encoding": {
                "x": {"field": "date", "type": "temporal", "title": None},
                "y": {"field": "value", "type": "quantitative", "title": f"{metric.name} ({unit.lower()})",
                      "scale": {"zero": False}},
                "color": {"field": "series", "type": "nominal", "title": None,
                          "scale": {"domain": series, "range": [COLORS[s] for s in series]},
                          "legend": {"orient": "bottom"}},
                "strokeDash": {"condition": {"test": "datum.series !== 'measured'", "value": [5, 4]}, "value": [1, 0]},
                "tooltip": [{"field": "series", "title": "series"}, {"field": "date", "type": "temporal"},
                            {"field": "label", "title": "value"}],
            },
        }
    ]
    if laps:
        layers.append({
            "data": {"values": laps},
            "mark": {"type": "point", "shape": "diamond", "size": 80, "filled": True, "color": COLORS["target"]},
            "encoding": {"x": {"field": "date", "type": "temporal"}, "y": {"field": "value", "type": "quantitative"},
                         "tooltip": [{"field": "label"}, {"field": "date", "type": "temporal"}, {"field": "value"}]},
        })
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": width,
        "height": height,
        # The long subtitle is cut to the plot's width; otherwise a phone's narrow screen shrinks the plot to fit it.
        "title": {"text": metric.name, "subtitle": pace.rule[:120], "anchor": "start", "fontSize": 13,
                  "limit": {"expr": "width"}},
        "layer": layers,
        "config": {"view": {"stroke": None}, "axis": {"grid": True, "gridColor": "#eef1f5"}},
    }
