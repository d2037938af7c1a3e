"""Usage charts as Vega-Lite specs: active users and stickiness over time, and feature adoption as
a heat map of key features by week. Plain data in, a spec out (no database here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
ACTIVE = {"1 day": "#8c959f", "7 days": "#1f6feb", "30 days": "#1a7f37"}


def active_users_spec(days: Iterable[tuple], *, seats: int | None = None, height: int = 200) -> dict:
    """``days``: (day, active 1 day, 7 days, 30 days, stickiness) tuples, oldest first.

    Active users over 1, 7 and 30 days, one line each; the seats as a dashed rule.

    One row per day with the three counts, folded in the browser: a third of the JSON of one row
    per day and series, which matters over two years.
    """
    values = [{"d": day.isoformat(), "1 day": a1, "7 days": a7, "30 days": a30} for day, a1, a7, a30, _ in days]
    x = {"field": "d", "type": "temporal", "title": None}
    layers: list[dict] = [{
        "transform": [{"fold": list(ACTIVE), "as": ["window", "users"]}],
        "mark": {"type": "line", "interpolate": "monotone", "strokeWidth": 1.5},
        "encoding": {
            "x": x,
            "y": {"field": "users", "type": "quantitative", "title": "Active users"},
            "color": {"field": "window", "type": "nominal", "title": "Active in",
                      "scale": {"domain": list(ACTIVE), "range": list(ACTIVE.values())},
                      "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "d", "type": "temporal", "title": "Day"}, {"field": "window", "title": "Active in"},
                        {"field": "users", "type": "quantitative", "title": "Users"}],
        },
    }]
    if seats:
        layers.append({"data": {"values": [{"seats": seats}]},
                       "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#bf8700"},
                       "encoding": {"y": {"field": "seats", "type": "quantitative"},
                                    "tooltip": [{"field": "seats", "title": "Seats"}]}})
    return {"$schema": SCHEMA, "width": "container", "height": height, "data": {"values": values}, "layer": layers}


def stickiness_spec(days: Iterable[tuple], *, height: int = 140) -> dict:
    """DAU/MAU from the same tuples (average daily active users over 30 days / monthly active users), 0 to 100%."""
    values = [{"d": day.isoformat(), "s": round(s, 4)} for day, *_, s in days if s is not None]
    return {
        "$schema": SCHEMA, "width": "container", "height": height, "data": {"values": values},
        "mark": {"type": "line", "interpolate": "monotone", "color": "#8250df", "strokeWidth": 1.5},
        "encoding": {
            "x": {"field": "d", "type": "temporal", "title": None},
            "y": {"field": "s", "type": "quantitative", "title": "DAU/MAU",
                  "axis": {"format": "%"}, "scale": {"domain": [0, 1]}},
            "tooltip": [{"field": "d", "type": "temporal", "title": "Day"},
                        {"field": "s", "type": "quantitative", "title": "DAU/MAU", "format": ".0%"}],
        },
    }


def feature_heatmap_spec(weeks: Iterable[tuple], names: Mapping[str, str], *,
                         row_height: int = 22) -> dict:
    """``weeks``: (feature key, week, users, share) tuples. Key features (rows) by ISO week (columns), coloured by the share of the week's active users
    who used the feature. A feature no longer defined keeps its key as its name."""
    values = [{"f": names.get(feature, feature), "w": week.isoformat(), "s": round(share, 4), "u": users}
              for feature, week, users, share in weeks]
    features = sorted({v["f"] for v in values}, key=str.lower)
    return {
        "$schema": SCHEMA, "width": "container", "height": max(1, len(features)) * row_height,
        "data": {"values": values},
        "mark": "rect",
        "encoding": {
            "x": {"field": "w", "type": "temporal", "timeUnit": "yearweek", "title": None,
                  "axis": {"format": "%b %Y", "labelOverlap": True}},
            "y": {"field": "f", "type": "nominal", "title": None, "sort": features},
            "color": {"field": "s", "type": "quantitative", "title": "Share of active users",
                      "scale": {"domain": [0, 1], "scheme": "blues"}, "legend": {"format": "%", "orient": "bottom"}},
            "tooltip": [{"field": "f", "title": "Feature"}, {"field": "w", "type": "temporal", "title": "Week of"},
                        {"field": "s", "type": "quantitative", "title": "Share", "format": ".0%"},
                        {"field": "u", "type": "quantitative", "title": "Users"}],
        },
    }
