"""Health charts as Vega-Lite specs: an account's three scores over time with their trend, and
the portfolio's ARR by band."""

from __future__ import annotations

from collections.abc import Iterable

from paceline.health.models import HealthScore

SERIES = {"Adoption": "#1f6feb", "Renewal": "#cf222e", "Expansion": "#1a7f37"}
BANDS = {"red": "#cf222e", "yellow": "#bf8700", "green": "#1a7f37", "unknown": "#8c959f"}


def history_spec(rows: Iterable[HealthScore], *, bands: dict[str, float] | None = None, height: int = 200) -> dict:
    """Each score as a line, its least-squares trend dashed, and the band thresholds as rules."""
    values = [
        {"date": r.on.isoformat(), "series": name, "score": round(value, 1)}
        for r in rows
        for name, value in (("Adoption", r.adoption), ("Renewal", r.renewal), ("Expansion", r.expansion))
        if value is not None
    ]
    color = {"field": "series", "type": "nominal", "title": None,
             "scale": {"domain": list(SERIES), "range": list(SERIES.values())}, "legend": {"orient": "bottom"}}
    x = {"field": "date", "type": "temporal", "title": None}
    y = {"field": "score", "type": "quantitative", "title": "Score", "scale": {"domain": [0, 100]}}
    layers: list[dict] = [
        {"mark": {"type": "line", "point": True},
         "encoding": {"x": x, "y": y, "color": color,
                      "tooltip": [{"field": "series"}, {"field": "date", "type": "temporal"}, {"field": "score"}]}},
        {"transform": [{"regression": "score", "on": "date", "groupby": ["series"]}],
         "mark": {"type": "line", "strokeDash": [5, 4], "opacity": 0.7},
         "encoding": {"x": x, "y": {"field": "score", "type": "quantitative"}, "color": color}},
    ]
    for name, threshold in (bands or {}).items():
        layers.append({"data": {"values": [{"score": threshold}]},
                       "mark": {"type": "rule", "color": BANDS.get(name, "#8c959f"), "opacity": 0.4},
                       "encoding": {"y": {"field": "score", "type": "quantitative"}}})
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "width": "container", "height": height,
            "data": {"values": values}, "layer": layers}


def portfolio_spec(rows: list[dict], *, height: int = 180) -> dict:
    """ARR per band as bars, the number of accounts in the tooltip."""
    values = [{"band": r["label"], "key": r["band"], "arr": float(r["arr"]), "accounts": r["count"]} for r in rows]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json", "width": "container", "height": height,
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": "band", "type": "nominal", "title": None, "sort": [r["band"] for r in values]},
            "y": {"field": "arr", "type": "quantitative", "title": "ARR"},
            "color": {"field": "key", "type": "nominal", "legend": None,
                      "scale": {"domain": list(BANDS), "range": list(BANDS.values())}},
            "tooltip": [{"field": "band"}, {"field": "accounts"}, {"field": "arr", "format": ",.0f", "title": "ARR"}],
        },
    }
