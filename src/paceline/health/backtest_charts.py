"""The backtest's charts as Vega-Lite specs: ROC curves of every predictor, and the calibration of
those that are probabilities (predicted risk against the churn rate observed, per decile)."""

from __future__ import annotations

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
DIAGONAL = [{"x": 0, "y": 0}, {"x": 1, "y": 1}]
# One colour per predictor on both charts, whichever of them have a value.
COLORS = {"health": "#1f6feb", "contact": "#bf8700", "usage": "#8250df", "logistic": "#cf222e", "boosting": "#1a7f37"}
OTHER = "#8c959f"


def _color(labels: list[str], keys: list[str]) -> dict:
    return {"field": "predictor", "type": "nominal", "title": None,
            "scale": {"domain": labels, "range": [COLORS.get(k, OTHER) for k in keys]},
            "legend": {"orient": "bottom", "columns": 2, "labelLimit": 260}}


def _chance(title: str) -> dict:
    return {"data": {"values": DIAGONAL}, "mark": {"type": "line", "color": "#8c959f", "strokeDash": [4, 4]},
            "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"},
                         "tooltip": {"value": title}}}


def roc_spec(predictors: dict, *, height: int = 260) -> dict | None:
    """One curve per predictor with a value (ROC-AUC in its name); the diagonal is chance."""
    rows, labels, keys = [], [], []
    for key, result in predictors.items():
        if not result.get("available") or not result.get("roc"):
            continue
        label = f"{result['label']} (AUC {result['auc']:.2f})"
        labels.append(label)
        keys.append(key)
        rows += [{"predictor": label, "fpr": p["fpr"], "tpr": p["tpr"]} for p in result["roc"]]
    if not rows:
        return None
    return {
        "$schema": SCHEMA, "width": "container", "height": height,
        "layer": [
            _chance("chance"),
            {"data": {"values": rows}, "mark": {"type": "line", "interpolate": "step-after"},
             "encoding": {
                 "x": {"field": "fpr", "type": "quantitative", "title": "Retained accounts flagged (false positive rate)",
                       "scale": {"domain": [0, 1]}},
                 "y": {"field": "tpr", "type": "quantitative", "title": "Churned accounts caught (true positive rate)",
                       "scale": {"domain": [0, 1]}},
                 "color": _color(labels, keys), "order": {"field": "fpr"},
                 "tooltip": [{"field": "predictor"}, {"field": "fpr", "format": ".2f"}, {"field": "tpr", "format": ".2f"}]}},
        ],
        "config": {"view": {"stroke": None}},
    }


def calibration_spec(predictors: dict, *, height: int = 260) -> dict | None:
    """Per decile of predicted risk, the churn rate observed; on the diagonal is well calibrated."""
    rows, labels, keys = [], [], []
    for key, result in predictors.items():
        if not result.get("available") or not result.get("calibration"):
            continue
        labels.append(result["label"])
        keys.append(key)
        rows += [{"predictor": result["label"], "predicted": round(b["predicted"], 4), "observed": round(b["observed"], 4),
                  "n": b["n"]} for b in result["calibration"]]
    if not rows:
        return None
    return {
        "$schema": SCHEMA, "width": "container", "height": height,
        "layer": [
            _chance("perfectly calibrated"),
            {"data": {"values": rows}, "mark": {"type": "line", "point": True},
             "encoding": {
                 "x": {"field": "predicted", "type": "quantitative", "title": "Predicted churn risk", "scale": {"domain": [0, 1]},
                       "axis": {"format": "%"}},
                 "y": {"field": "observed", "type": "quantitative", "title": "Churned (observed)", "scale": {"domain": [0, 1]},
                       "axis": {"format": "%"}},
                 "color": _color(labels, keys),
                 "tooltip": [{"field": "predictor"}, {"field": "n", "title": "accounts"},
                             {"field": "predicted", "format": ".0%"}, {"field": "observed", "format": ".0%"}]}},
        ],
        "config": {"view": {"stroke": None}},
    }
