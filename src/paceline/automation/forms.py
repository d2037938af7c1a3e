"""Forms of the automation pages, and the rule editor's rows read from and written back to a page.

The rule editor posts flat names: ``tp-<param>`` for the trigger's parameters,
``cond-<i>-field|op|value`` for conditions, ``act-<i>-type`` and ``act-<i>-p-<param>`` for actions.
Blank rows are dropped and the others renumbered from 1, so an error the service names
(``conditions[2].value``, ``actions[1].params.title``) lands on the row shown second or first.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms

from paceline.automation import actions as action_registry
from paceline.automation import conditions, triggers
from paceline.automation.models import Channel, ChannelKind, Playbook, PlaybookStep, Rule, StepKind
from paceline.automation.params import Param

ROW = re.compile(r"^(cond|act|step)-(\d+)-")
BLANK_ROWS = 2


class RuleForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(required=False, initial=True)
    trigger = forms.ChoiceField(choices=())
    cap_count = forms.IntegerField(min_value=0, initial=1, label="At most (firings per account)")
    cap_days = forms.IntegerField(min_value=0, initial=7, label="In (days; 0: no cap)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trigger"].choices = [(t.key, t.label) for t in triggers.TRIGGERS.values()]

    @staticmethod
    def initial_for(rule: Rule) -> dict[str, Any]:
        return {name: getattr(rule, name) for name in ("name", "description", "active", "trigger", "cap_count", "cap_days")}


def _indexes(post, kind: str) -> list[int]:
    return sorted({int(m.group(2)) for key in post for m in [ROW.match(key)] if m and m.group(1) == kind})


def _param_value(post, name: str, param: Param) -> Any:
    if param.type == "choices":
        return post.getlist(name)
    return post.get(name, "")


def read_params(post, declared: tuple[Param, ...], prefix: str) -> dict[str, Any]:
    return {p.name: _param_value(post, f"{prefix}{p.name}", p) for p in declared}


def read_rule(post) -> dict[str, Any]:
    """The rule's trigger parameters, conditions and actions as the services take them."""
    trigger = triggers.TRIGGERS.get(post.get("trigger", ""))
    data: dict[str, Any] = {"trigger_params": read_params(post, trigger.params, "tp-") if trigger else {}}
    data["conditions"] = [
        {"field": post.get(f"cond-{i}-field"), "op": post.get(f"cond-{i}-op", "eq"), "value": post.get(f"cond-{i}-value", "")}
        for i in _indexes(post, "cond") if post.get(f"cond-{i}-field")
    ]
    acts = []
    for i in _indexes(post, "act"):
        key = post.get(f"act-{i}-type")
        if not key:
            continue
        action = action_registry.ACTIONS.get(key)
        acts.append({"type": key, "params": read_params(post, action.params, f"act-{i}-p-") if action else {}})
    data["actions"] = acts
    return data


def _under(errors: dict[str, list[str]], where: str) -> dict[str, list[str]]:
    """Errors for ``where.<name>`` as ``{name: messages}`` (``""`` for ``where`` itself)."""
    out = {}
    for key, messages in errors.items():
        if key == where:
            out[""] = messages
        elif key.startswith(where + "."):
            out[key[len(where) + 1:]] = messages
    return out


def param_fields(declared: tuple[Param, ...], values: dict[str, Any], errors: dict[str, list[str]],
                 prefix: str) -> list[dict[str, Any]]:
    """Each declared parameter as the editor renders it: name, label, widget type, value, errors."""
    fields = []
    for p in declared:
        value = values.get(p.name, p.default)
        if value is None:
            value = ""
        if p.type == "choices":
            value = value if isinstance(value, list) else [v for v in str(value).split(",") if v]
        fields.append({"name": f"{prefix}{p.name}", "label": p.label, "type": p.type, "value": value,
                       "choices": p.choices, "help": p.help, "required": p.required, "minimum": p.minimum,
                       "errors": errors.get(p.name, [])})
    return fields


def _shown(value: Any) -> str:
    if value is None:
        return ""
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def editor_rows(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """Trigger parameters, condition rows and action rows (plus blank ones) with their errors."""
    trigger = triggers.TRIGGERS.get(data.get("trigger") or "")
    tp_errors = _under(errors, "trigger_params")
    cond_rows = []
    for i, c in enumerate([*data.get("conditions", []), *([{}] * BLANK_ROWS)], start=1):
        cond_rows.append({"index": i, "field": c.get("field", ""), "op": c.get("op", "eq"),
                          "value": _shown(c.get("value")), "errors": _under(errors, f"conditions[{i}]")})
    act_rows = []
    for i, a in enumerate([*data.get("actions", []), {}], start=1):
        act_rows.append(action_row(i, a.get("type", ""), a.get("params") or {}, _under(errors, f"actions[{i}]")))
    return {
        "trigger_obj": trigger,
        "trigger_params": param_fields(trigger.params, data.get("trigger_params") or {}, tp_errors, "tp-") if trigger else [],
        "trigger_params_errors": tp_errors.get("", []),
        "cond_rows": cond_rows, "act_rows": act_rows,
        "fields": conditions.FIELDS, "ops": conditions.OPS, "actions": action_registry.ACTIONS,
    }


def action_row(index: int, key: str, params: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    action = action_registry.ACTIONS.get(key)
    return {"index": index, "type": key, "errors": errors.get("", []) + errors.get("type", []),
            "params": param_fields(action.params, params, _under(errors, "params"), f"act-{index}-p-") if action else []}


class PlaybookForm(forms.ModelForm):
    class Meta:
        model = Playbook
        fields = ["name", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


STEP_FIELDS = ("id", "kind", "title", "description", "due_in_days", "owner_role", "priority", "touchpoint_kind")


def read_steps(post) -> list[dict[str, Any]]:
    """The playbook's steps in their order; a row without a title is blank and dropped."""
    steps = []
    for i in _indexes(post, "step"):
        if not post.get(f"step-{i}-title", "").strip():
            continue
        step = {name: post.get(f"step-{i}-{name}", "") for name in STEP_FIELDS}
        step["id"] = int(step["id"]) if str(step["id"]).isdigit() else None
        due = step["due_in_days"]
        step["due_in_days"] = int(due) if str(due).isdigit() else due
        steps.append(step)
    return steps


def step_rows(steps: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    blank = {"kind": StepKind.TASK, "due_in_days": 0, "priority": "normal", "owner_role": "owner"}
    return [{"index": i, **s, "errors": _under(errors, f"steps[{i}]")}
            for i, s in enumerate([*steps, *([blank] * BLANK_ROWS)], start=1)]


def steps_of(playbook: Playbook) -> list[dict[str, Any]]:
    return [{"id": s.pk, **{n: getattr(s, n) for n in STEP_FIELDS if n != "id"}} for s in playbook.steps.all()]


STEP_CHOICES = {name: PlaybookStep._meta.get_field(name).choices for name in ("kind", "owner_role", "priority",
                                                                             "touchpoint_kind")}


class ChannelForm(forms.ModelForm):
    secret = forms.CharField(required=False, max_length=200, widget=forms.PasswordInput,
                             help_text="Signs outbound webhooks. Leave empty to have one generated (webhooks) "
                                       "or, when editing, to keep the current one.")

    class Meta:
        model = Channel
        fields = ["name", "kind", "target", "active"]
        widgets = {"target": forms.TextInput(attrs={"size": 60})}
        help_texts = {"target": "E-mail addresses separated by commas, or the webhook's URL."}

    def clean_kind(self):
        return ChannelKind(self.cleaned_data["kind"]).value


class SnoozeForm(forms.Form):
    rule = forms.ModelChoiceField(queryset=Rule.objects.all())
    until = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(max_length=300, required=False)


class StartPlaybookForm(forms.Form):
    playbook = forms.ModelChoiceField(queryset=Playbook.objects.filter(active=True))
