"""Forms for the health pages: a CSM's manual assessment, and a model's definition as fields.

The model form turns fields into a definition for ``services.model_save`` and puts the errors it
returns (named by their place in the definition, ``equations.renewal.terms.adoption``) back on
the field that holds that place.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models as db

from paceline.customers.models import Account, LifecycleStage, Segment
from paceline.health import spec as specs
from paceline.health.explain import EQUATION_LABELS, MANUAL_LABEL
from paceline.health.factors import FACTORS


class AssessmentForm(forms.Form):
    score = forms.IntegerField(min_value=0, max_value=100, label="Your score (0-100)")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Why")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def account_sources() -> list[str]:
    """The account fields a custom factor may read: the numeric ones."""
    numeric = (db.IntegerField, db.FloatField, db.DecimalField)
    return [f"account.{f.name}" for f in Account._meta.concrete_fields
            if isinstance(f, numeric) and not f.primary_key and not f.is_relation]


def _points_text(points: list) -> str:
    return ", ".join(f"{x:g}:{y:g}" for x, y in points)


def _parse_points(text: str) -> list[list[float]] | str:
    """"0:0, 100:100" → [[0, 0], [100, 100]]; text the spec refuses by name if it does not parse."""
    pairs = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;\n]", text))):
        x, sep, y = part.partition(":")
        try:
            pairs.append([float(x), float(y)])
        except ValueError:
            return text
        if not sep:
            return text
    return pairs


class ModelDefinitionForm(forms.Form):
    """Every part of a definition as a field. Weights: one per (equation, possible term); blank
    means the term is not in that equation."""

    note = forms.CharField(max_length=300, label="What changed and why")
    gate = forms.FloatField(label="Gate (a required term below it scales the score down)")
    band_green = forms.FloatField(label="Green from")
    band_yellow = forms.FloatField(label="Yellow from")
    manual_expires_days = forms.IntegerField(label="A manual read expires after (days)")
    manual_weight = forms.FloatField(label="A fresh manual read's weight")

    CUSTOM_FIELDS = ("key", "label", "source", "points", "missing")

    def __init__(self, *args, definition: dict[str, Any], **kwargs):
        kwargs.setdefault("label_suffix", "")
        self.definition = specs.validate(definition)
        self.customs = list(self.definition["custom_factors"])
        super().__init__(*args, initial=self._initial(), **kwargs)
        policies = [(k, f"{k}: {v}") for k, v in specs.POLICIES.items()]
        for key in FACTORS:
            self.fields[f"missing_{key}"] = forms.ChoiceField(choices=policies, label=FACTORS[key].label)
        for name in specs.EQUATIONS:
            for term in self.terms_for(name):
                self.fields[f"w_{name}_{term}"] = forms.FloatField(required=False, min_value=0)
            self.fields[f"requires_{name}"] = forms.MultipleChoiceField(
                required=False, widget=forms.CheckboxSelectMultiple, label=f"{EQUATION_LABELS[name]} requires",
                choices=[(t, self.term_label(t)) for t in self.terms_for(name)])
        for i in range(len(self.customs) + 1):
            self.fields[f"custom_{i}_key"] = forms.SlugField(required=False, label="Name")
            self.fields[f"custom_{i}_label"] = forms.CharField(required=False, label="Label")
            self.fields[f"custom_{i}_source"] = forms.CharField(
                required=False, label="Reads", help_text=f"One of {', '.join(account_sources())}, or usage.<metric>")
            self.fields[f"custom_{i}_points"] = forms.CharField(required=False, label="Value:score points",
                                                                help_text="e.g. 0:0, 500:100")
            self.fields[f"custom_{i}_missing"] = forms.ChoiceField(choices=policies, label="No data", required=False,
                                                                   initial="exclude")

    # Layout helpers for the template ---------------------------------------------------------

    def all_terms(self) -> list[str]:
        return [*FACTORS, *self.custom_keys(), specs.MANUAL, "adoption", "renewal"]

    def custom_keys(self) -> list[str]:
        keys = [self.data.get(f"custom_{i}_key", "").strip() for i in range(len(self.customs) + 1)] if self.is_bound else []
        return [k for k in keys if k] if self.is_bound else self.customs

    def terms_for(self, name: str) -> list[str]:
        earlier = list(specs.EQUATIONS[: specs.EQUATIONS.index(name)])
        return [*FACTORS, *self.custom_keys(), specs.MANUAL, *earlier]

    def term_label(self, term: str) -> str:
        if term in FACTORS:
            return FACTORS[term].label
        if term in EQUATION_LABELS:
            return EQUATION_LABELS[term]
        return MANUAL_LABEL if term == specs.MANUAL else term

    def weight_rows(self) -> list[dict[str, Any]]:
        rows = []
        for term in self.all_terms():
            cells = [self[f"w_{name}_{term}"] if f"w_{name}_{term}" in self.fields else None for name in specs.EQUATIONS]
            rows.append({"term": term, "label": self.term_label(term), "cells": cells})
        return rows

    def missing_fields(self) -> list:
        return [self[f"missing_{k}"] for k in FACTORS]

    def requires_fields(self) -> list:
        return [self[f"requires_{n}"] for n in specs.EQUATIONS]

    def custom_rows(self) -> list[list]:
        return [[self[f"custom_{i}_{part}"] for part in self.CUSTOM_FIELDS] for i in range(len(self.customs) + 1)]

    # Definition in and out -------------------------------------------------------------------

    def _initial(self) -> dict[str, Any]:
        d = self.definition
        initial: dict[str, Any] = {
            "gate": d["gate"], "band_green": d["bands"]["green"], "band_yellow": d["bands"]["yellow"],
            "manual_expires_days": d["manual"]["expires_days"], "manual_weight": d["manual"]["weight"],
        }
        for key, data in d["factors"].items():
            initial[f"missing_{key}"] = data.get("missing", "exclude")
        for name, eq in d["equations"].items():
            for term, weight in eq["terms"].items():
                initial[f"w_{name}_{term}"] = weight
            initial[f"requires_{name}"] = list(eq.get("requires") or [])
        for i, (key, data) in enumerate(d["custom_factors"].items()):
            initial.update({f"custom_{i}_key": key, f"custom_{i}_label": data.get("label", ""),
                            f"custom_{i}_source": data.get("source", ""),
                            f"custom_{i}_points": _points_text(data.get("points", [])),
                            f"custom_{i}_missing": data.get("missing", "exclude")})
        return initial

    def to_definition(self) -> dict[str, Any]:
        c = self.cleaned_data
        customs = {}
        for i in range(len(self.customs) + 1):
            key = c.get(f"custom_{i}_key")
            if key:
                customs[key] = {"label": c.get(f"custom_{i}_label") or key, "source": c.get(f"custom_{i}_source", ""),
                                "points": _parse_points(c.get(f"custom_{i}_points", "")),
                                "missing": c.get(f"custom_{i}_missing") or "exclude"}
        equations = {}
        for name in specs.EQUATIONS:
            terms = {t: c[f"w_{name}_{t}"] for t in self.terms_for(name) if c.get(f"w_{name}_{t}") is not None}
            equations[name] = {"terms": terms, "requires": list(c.get(f"requires_{name}") or [])}
        return {
            "bands": {"green": c["band_green"], "yellow": c["band_yellow"]},
            "gate": c["gate"],
            "manual": {"expires_days": c["manual_expires_days"], "weight": c["manual_weight"]},
            "factors": {k: {"missing": c[f"missing_{k}"]} for k in FACTORS},
            "custom_factors": customs,
            "equations": equations,
        }

    def field_for(self, place: str) -> str | None:
        """The form field that holds a place of the definition, or None (shown above the form)."""
        fixed = {"gate": "gate", "bands.green": "band_green", "bands.yellow": "band_yellow",
                 "manual.expires_days": "manual_expires_days", "manual.weight": "manual_weight", "note": "note"}
        if place in fixed:
            return fixed[place]
        parts = place.split(".")
        if parts[0] == "factors" and len(parts) >= 2:
            return f"missing_{parts[1]}" if f"missing_{parts[1]}" in self.fields else None
        if parts[0] == "equations" and len(parts) >= 2:
            name = parts[1].split("[")[0]
            if len(parts) >= 4 and parts[2] == "terms" and f"w_{name}_{parts[3]}" in self.fields:
                return f"w_{name}_{parts[3]}"
            return f"requires_{name}" if f"requires_{name}" in self.fields else None
        if parts[0] == "custom_factors" and len(parts) >= 2:
            keys = [self.cleaned_data.get(f"custom_{i}_key") for i in range(len(self.customs) + 1)]
            if parts[1] in keys:
                i = keys.index(parts[1])
                part = parts[2] if len(parts) >= 3 and parts[2] in self.CUSTOM_FIELDS else "key"
                return f"custom_{i}_{part}"
        return None

    def attach(self, error: ValidationError) -> None:
        """Each of the service's errors on its field; those without one above the form, with their place."""
        for place, messages in error.message_dict.items():
            name = self.field_for(place)
            for message in messages:
                self.add_error(name, message if name else f"{place}: {message}")


class NewModelForm(forms.Form):
    """A model for a segment and/or stage; it starts from the Standard model's current definition."""

    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    segment = forms.ChoiceField(choices=[("", "Any segment"), *Segment.choices], required=False)
    lifecycle_stage = forms.ChoiceField(choices=[("", "Any stage"), *LifecycleStage.choices], required=False)
