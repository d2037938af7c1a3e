"""The results charts as Vega-Lite specs, drawn by the core chart tags (and by ``render_svg`` for exports)."""

from __future__ import annotations

from paceline.surveys.selectors import Bar, Group, Month

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
BANDS = ["detractor", "passive", "promoter"]
BAND_COLORS = {"detractor": "#cf222e", "passive": "#bf8700", "promoter": "#1a7f37"}
_BAND_SCALE = {"domain": BANDS, "range": [BAND_COLORS[b] for b in BANDS]}
_CONFIG = {"view": {"stroke": None}, "axis": {"grid": True, "gridColor": "#eef1f5"}}


def _title(text: str, subtitle: str = "") -> dict:
    title = {"text": text, "anchor": "start", "fontSize": 13}
    if subtitle:
        title["subtitle"] = subtitle
    return title


def distribution_spec(bars: list[Bar], *, width: int | str = "container", height: int = 220) -> dict:
    """How many answered each of 0-10, colored by band."""
    return {
        "$schema": SCHEMA,
        "width": width,
        "height": height,
        "title": _title("Answers 0-10", f"{sum(b.count for b in bars)} answers"),
        "data": {"values": [{"score": b.score, "count": b.count, "band": b.band} for b in bars]},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "score", "type": "ordinal", "title": "How likely to recommend", "axis": {"labelAngle": 0},
                  "sort": list(range(11))},
            "y": {"field": "count", "type": "quantitative", "title": "Answers", "axis": {"tickMinStep": 1}},
            "color": {"field": "band", "type": "nominal", "title": None, "scale": _BAND_SCALE,
                      "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "score", "title": "answer"}, {"field": "count", "title": "answers"},
                        {"field": "band"}],
        },
        "config": _CONFIG,
    }


def trend_spec(months: list[Month], *, width: int | str = "container", height: int = 220) -> dict:
    """NPS month by month with its 95% interval as a band; a month without answers is a gap."""
    rows = []
    for m in months:
        nps = m.figures.nps
        rows.append({
            "month": m.month.isoformat(),
            "nps": None if nps.score is None else round(nps.score, 1),
            "low": None if nps.low is None else round(nps.low, 1),
            "high": None if nps.high is None else round(nps.high, 1),
            "n": nps.n,
        })
    x = {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None}
    tooltip = [{"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "month"},
               {"field": "nps", "title": "NPS"}, {"field": "low", "title": "95% from"},
               {"field": "high", "title": "95% to"}, {"field": "n", "title": "answers"}]
    return {
        "$schema": SCHEMA,
        "width": width,
        "height": height,
        "title": _title("NPS by month", "shaded: the 95% interval, wide when few answered"),
        "data": {"values": rows},
        "encoding": {"x": x},
        "layer": [
            {"transform": [{"filter": "datum.n > 0"}],
             "mark": {"type": "area", "opacity": 0.18, "color": "#1f6feb"},
             "encoding": {"y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}},
            {"mark": {"type": "line", "point": True, "color": "#1f6feb"},
             "encoding": {"y": {"field": "nps", "type": "quantitative", "title": "NPS",
                                "scale": {"domain": [-100, 100]}},
                          "tooltip": tooltip}},
        ],
        "config": _CONFIG,
    }


def bands_spec(groups: list[Group], *, title: str = "Promoters, passives and detractors by segment",
               width: int | str = "container", height: int | None = None) -> dict:
    """Each group's NPS answers as one bar split by band, as shares, so groups of any size compare."""
    rows = []
    for g in groups:
        nps = g.figures.nps
        for band, count in (("detractor", nps.detractors), ("passive", nps.passives), ("promoter", nps.promoters)):
            if nps.n:
                rows.append({"group": g.label, "band": band, "count": count, "share": round(100 * count / nps.n, 1),
                             "n": nps.n, "order": BANDS.index(band)})
    return {
        "$schema": SCHEMA,
        "width": width,
        "height": height or max(60, 36 * len({r["group"] for r in rows})),
        "title": _title(title),
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "group", "type": "nominal", "title": None, "sort": [g.label for g in groups]},
            "x": {"field": "count", "type": "quantitative", "stack": "normalize", "title": "Share of answers",
                  "axis": {"format": "%"}},
            "color": {"field": "band", "type": "nominal", "title": None, "scale": _BAND_SCALE,
                      "legend": {"orient": "bottom"}},
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [{"field": "group", "title": "segment"}, {"field": "band"},
                        {"field": "count", "title": "answers"}, {"field": "share", "title": "% of answers"},
                        {"field": "n", "title": "all answers"}],
        },
        "config": _CONFIG,
    }
