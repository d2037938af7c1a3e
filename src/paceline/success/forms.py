"""Forms for the success plan pages. They parse what people type and present; services decide.

Values are typed the way people write them ("19:27" for a duration, "45%", "$1,200") and parsed
with the metric's unit by ``pacing.parse_value``; a value that does not parse is an error on
its field. Everything else (reachable targets, dates in order, laps going forward, contacts of
the right account) is the services' to check; their errors land next to the field they name.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from paceline.customers.forms import DATE, QuietLabels, ServiceModelForm, writers
from paceline.customers.importing.parsing import FileProblem, decode, read_table, record_cells
from paceline.customers.importing.values import CellError, read_date
from paceline.customers.models import Account, Contact
from paceline.success import pacing
from paceline.success.models import (
    ActionItem,
    Direction,
    Goal,
    GoalStatus,
    Measurement,
    PlanTemplate,
    Side,
    SuccessMetric,
    SuccessPlan,
    Unit,
)
from paceline.success.sources import all_sources, get_source
from paceline.users.models import User

THIS_ACCOUNT = "Choose a contact of this account."
VALUE_HELP = {
    Unit.DURATION: "As you would write it: 19:27, 1:02:03 or seconds.",
    Unit.PERCENT: "For example 45 or 45%.",
    Unit.CURRENCY: "For example 1,200 or $1,200.",
}
UPLOAD_MAX_ROWS = 5_000


def value_text(unit: str, value: Decimal | None) -> str:
    """A stored value as a person would type it back, without losing precision."""
    if value is None:
        return ""
    if unit == Unit.DURATION and value >= 0:
        whole = int(value)
        hours, rest = divmod(whole, 3600)
        minutes, seconds = divmod(rest, 60)
        fraction = str((value - whole).normalize()).lstrip("0") if value != whole else ""
        clock = f"{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
        return f"{hours}:{clock}{fraction}" if hours else f"{clock}{fraction}"
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def parse_into(form: forms.Form, field: str, unit: str, *, required: bool = True) -> Decimal | None:
    """Parse ``form.cleaned_data[field]`` as a value of ``unit``; an error names the field."""
    text = (form.cleaned_data.get(field) or "").strip()
    if not text:
        if required and field not in form.errors:
            form.add_error(field, "Give a value.")
        return None
    try:
        return pacing.parse_value(unit, text)
    except ValueError as error:
        form.add_error(field, str(error))
        return None


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(form: forms.Form, field: str, what: str) -> None:
    day = form.cleaned_data.get(field)
    if day and day > _today():
        form.add_error(field, f"{what} cannot be in the future.")


def _contacts(account: Account):
    return Contact.objects.filter(account=account).order_by("status", Lower("name"), "id")


class ContactChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contact) -> str:
        details = [d for d in (obj.title, "left" if obj.has_left else "") if d]
        return f"{obj.name} ({', '.join(details)})" if details else obj.name


def _contact_field(account: Account, *, label: str, required: bool) -> ContactChoice:
    field = ContactChoice(queryset=_contacts(account), required=required, label=label)
    field.error_messages["invalid_choice"] = THIS_ACCOUNT
    return field


def _owner_field(required: bool = False, current: int | None = None) -> forms.ModelChoiceField:
    people = writers() | Q(pk=current) if current else writers()
    return forms.ModelChoiceField(queryset=User.objects.filter(people), required=required, label="Owner (our side)")


# Plans ------------------------------------------------------------------------------------------


class PlanNewForm(QuietLabels, forms.Form):
    template = forms.ModelChoiceField(
        queryset=PlanTemplate.objects.none(), required=False, empty_label="None: start from scratch",
        label="Start from a template",
    )
    title = forms.CharField(max_length=200, required=False, help_text="Leave empty to use the template's name.")
    start = forms.DateField(widget=DATE, initial=_today, label="Start date",
                            help_text="A template's goals, metrics and commitments are dated from this day.")
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              label="What success means, in the customer's words")
    internal_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                     label="Internal notes (never shown to the customer)")

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = PlanTemplate.objects.filter(is_active=True)
        self.fields["template"].error_messages["invalid_choice"] = "Choose one of the active templates."
        self.fields["owner"] = _owner_field()
        self.fields["customer_owner"] = _contact_field(account, label="Owner (customer's side)", required=False)


class PlanForm(ServiceModelForm):
    class Meta:
        model = SuccessPlan
        fields = ["title", "summary", "internal_notes", "status", "owner", "customer_owner", "reviewed_on"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "internal_notes": forms.Textarea(attrs={"rows": 2}),
                   "reviewed_on": DATE}
        labels = {"summary": "What success means, in the customer's words",
                  "internal_notes": "Internal notes (never shown to the customer)",
                  "owner": "Owner (our side)", "customer_owner": "Owner (customer's side)",
                  "reviewed_on": "Last reviewed with the customer"}

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field(current=self.instance.owner_id)
        self.fields["customer_owner"] = _contact_field(account, label="Owner (customer's side)", required=False)

    def clean(self):
        cleaned = super().clean()
        _not_future(self, "reviewed_on", "A review")
        return cleaned


# Goals ------------------------------------------------------------------------------------------


class GoalForm(ServiceModelForm):
    class Meta:
        model = Goal
        fields = ["title", "description", "internal_notes", "target_date", "parent"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "internal_notes": forms.Textarea(attrs={"rows": 2}),
                   "target_date": DATE}
        labels = {"description": "Description, in the customer's words",
                  "internal_notes": "Internal notes (never shown to the customer)",
                  "parent": "Sub-goal of"}

    def __init__(self, *args, plan: SuccessPlan, **kwargs):
        super().__init__(*args, **kwargs)
        goal = self.instance
        if goal.pk and goal.subgoals.exists():
            # A goal with sub-goals stays a goal: the tree is one level deep.
            del self.fields["parent"]
            return
        parents = Goal.objects.filter(plan=plan, parent__isnull=True).order_by("position", "id")
        if goal.pk:
            parents = parents.exclude(pk=goal.pk)
        field = self.fields["parent"]
        field.queryset = parents
        field.empty_label = "None: a goal of its own"
        field.error_messages["invalid_choice"] = "Choose one of this plan's goals (sub-goals go one level deep)."


class GoalAgreeForm(QuietLabels, forms.Form):
    on = forms.DateField(widget=DATE, initial=_today, label="Agreed on")

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"] = _contact_field(account, label="Agreed by (the customer's contact)", required=True)
        self.order_fields(["contact", "on"])

    def clean(self):
        cleaned = super().clean()
        _not_future(self, "on", "An agreement")
        return cleaned


CLOSE_CHOICES = [(GoalStatus.HIT, "Hit: the customer got there"), (GoalStatus.MISSED, "Missed"),
                 (GoalStatus.RETIRED, "Retired: no longer pursued")]


class GoalCloseForm(QuietLabels, forms.Form):
    status = forms.ChoiceField(choices=CLOSE_CHOICES, widget=forms.RadioSelect, label="Outcome")
    on = forms.DateField(widget=DATE, initial=_today, label="Closed on")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="What happened, for the timeline and the next plan.")

    def clean(self):
        cleaned = super().clean()
        _not_future(self, "on", "A goal's closing date")
        if cleaned.get("status") in (GoalStatus.MISSED, GoalStatus.RETIRED) and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why, so the next plan can learn from it.")
        return cleaned


class GoalReplaceForm(QuietLabels, forms.Form):
    title = forms.CharField(max_length=300, label="The new goal")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why the goal changed")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  label="Description, in the customer's words")
    target_date = forms.DateField(required=False, widget=DATE)


# Metrics ----------------------------------------------------------------------------------------


def _source_choices() -> list[tuple[str, str]]:
    return [("", "None: measured by hand"), *((s.key, f"{s.label} ({s.unit})") for s in all_sources())]


class MetricForm(QuietLabels, forms.Form):
    name = forms.CharField(max_length=200)
    unit = forms.ChoiceField(choices=Unit.choices, initial=Unit.COUNT)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.HIGHER)
    baseline = forms.CharField(max_length=40, help_text="Where the customer starts, written as people write it: "
                                                        "19:27 for a duration, 45% for a percent, 1,200 for money.")
    baseline_date = forms.DateField(widget=DATE, initial=_today)
    target = forms.CharField(max_length=40, help_text="Where the customer wants to be.")
    target_date = forms.DateField(widget=DATE)
    currency = forms.CharField(max_length=3, required=False, help_text="For currency metrics, e.g. USD.")
    denominator = forms.CharField(max_length=40, required=False,
                                  help_text="For percent metrics: the population it is a share of (e.g. team size).")
    source = forms.ChoiceField(required=False, label="Computed source",
                               help_text="Values arrive on their own every day; leave empty to record them by hand.")
    source_params = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    label="Source parameters (JSON)")

    def __init__(self, *args, locked_hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _source_choices()
        if locked_hint:
            for name in ("target", "target_date", "denominator"):
                self.fields[name].help_text = locked_hint

    @classmethod
    def initial_for(cls, metric: SuccessMetric) -> dict[str, Any]:
        return {
            "name": metric.name, "unit": metric.unit, "direction": metric.direction,
            "baseline": value_text(metric.unit, metric.baseline), "baseline_date": metric.baseline_date,
            "target": value_text(metric.unit, metric.target), "target_date": metric.target_date,
            "currency": metric.currency, "denominator": value_text(Unit.COUNT, metric.denominator),
            "source": metric.source,
            "source_params": json.dumps(metric.source_params) if metric.source_params else "",
        }

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit")
        if unit:
            cleaned["baseline"] = parse_into(self, "baseline", unit)
            cleaned["target"] = parse_into(self, "target", unit)
            cleaned["denominator"] = parse_into(self, "denominator", Unit.COUNT, required=False)
        source = get_source(cleaned.get("source") or "")
        if source is not None and unit and source.unit != unit:
            self.add_error("source", f"{source.label} gives a {source.unit}; this metric is a {unit}.")
        params = (cleaned.get("source_params") or "").strip()
        cleaned["source_params"] = {}
        if params:
            try:
                cleaned["source_params"] = json.loads(params)
            except json.JSONDecodeError as error:
                self.add_error("source_params", f"Not JSON: {error.msg} (line {error.lineno}, column {error.colno}).")
            else:
                if not isinstance(cleaned["source_params"], dict):
                    self.add_error("source_params", 'Give an object, e.g. {"days": 90}.')
        return cleaned


class CheckpointForm(forms.Form):
    due_on = forms.DateField(required=False, widget=DATE, label="Date")
    target = forms.CharField(required=False, max_length=40)
    label = forms.CharField(required=False, max_length=100)


CheckpointFormSet = forms.formset_factory(CheckpointForm, extra=0, max_num=24, absolute_max=24, validate_max=True)
BLANK_LAPS = 2


def checkpoint_formset(data=None, metric: SuccessMetric | None = None) -> forms.BaseFormSet:
    laps = list(metric.checkpoints.all()) if metric is not None else []
    initial = [{"due_on": c.due_on, "target": value_text(metric.unit, c.target), "label": c.label} for c in laps]
    initial += [{}] * BLANK_LAPS
    return CheckpointFormSet(data, initial=initial, prefix="checkpoints")


def checkpoints_from(formset: forms.BaseFormSet, unit: str | None) -> list[tuple[dt.date, Decimal, str]] | None:
    """The laps typed in the rows (blank rows skipped), or None when a row has an error."""
    if not formset.is_valid() or unit is None:
        return None
    laps = []
    for form in formset.forms:
        data = form.cleaned_data
        if not (data.get("due_on") or (data.get("target") or "").strip() or (data.get("label") or "").strip()):
            continue
        if not data.get("due_on"):
            form.add_error("due_on", "Give the checkpoint's date.")
        target = parse_into(form, "target", unit)
        if data.get("due_on") and target is not None:
            laps.append((data["due_on"], target, (data.get("label") or "").strip()))
    return None if any(form.errors for form in formset.forms) else laps


class RenegotiateForm(QuietLabels, forms.Form):
    new_target = forms.CharField(max_length=40, label="New target")
    new_target_date = forms.DateField(required=False, widget=DATE, label="New target date",
                                      help_text="Leave empty to keep the date.")
    new_denominator = forms.CharField(max_length=40, required=False, label="New denominator",
                                      help_text="For a percent metric: the population it is now a share of.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why the target changes")
    equivalence = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="Why the new target is the same success, if it is.")
    changed_on = forms.DateField(widget=DATE, initial=_today, label="Agreed on")

    def __init__(self, *args, metric: SuccessMetric, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = metric.unit
        self.fields["agreed_by_contact"] = _contact_field(account, label="Agreed by (the customer's contact)",
                                                          required=True)
        if metric.unit != Unit.PERCENT:
            del self.fields["new_denominator"]

    def clean(self):
        cleaned = super().clean()
        cleaned["new_target"] = parse_into(self, "new_target", self.unit)
        if "new_denominator" in self.fields:
            cleaned["new_denominator"] = parse_into(self, "new_denominator", Unit.COUNT, required=False)
        _not_future(self, "changed_on", "An agreement")
        return cleaned


# Measurements -----------------------------------------------------------------------------------


class MeasurementForm(QuietLabels, forms.Form):
    value = forms.CharField(max_length=40)
    measured_on = forms.DateField(widget=DATE, initial=_today, label="Date")
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, metric: SuccessMetric, **kwargs):
        kwargs.setdefault("prefix", f"m{metric.pk}")
        super().__init__(*args, **kwargs)
        self.unit = metric.unit
        self.fields["value"].help_text = VALUE_HELP.get(metric.unit, "")

    def clean(self):
        cleaned = super().clean()
        cleaned["value"] = parse_into(self, "value", self.unit)
        return cleaned


COLUMNS = {"metric": ("metric", "metric id", "metric name"), "date": ("date", "measured on", "measured_on", "day"),
           "value": ("value",), "note": ("note", "notes")}


class MeasurementUploadForm(QuietLabels, forms.Form):
    """A CSV of measurements for one plan: metric (name or id), date, value, note.

    Rows are read here; each problem is (row as a spreadsheet numbers it, column, reason).
    ``rows`` are ready for ``services.measurements_record_bulk`` when ``problems`` is empty.
    """

    file = forms.FileField(label="CSV file", help_text="Columns: metric (name or id), date, value, note.")

    def __init__(self, *args, metrics: list[SuccessMetric], **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = metrics
        self.rows: list[dict[str, Any]] = []
        self.row_numbers: list[int] = []
        self.problems: list[tuple[int, str, str]] = []

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise forms.ValidationError(f"The file is {filesizeformat(upload.size)}; the limit is "
                                        f"{filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}.")
        try:
            table = read_table(decode(upload.read()))
        except FileProblem as error:
            raise forms.ValidationError(str(error)) from None
        if len(table.records) > UPLOAD_MAX_ROWS:
            raise forms.ValidationError(f"The file has {len(table.records):,} rows; upload up to {UPLOAD_MAX_ROWS:,}.")
        where = {}
        for index, header in enumerate(table.headers):
            for column, names in COLUMNS.items():
                if header.strip().lower() in names and column not in where:
                    where[column] = index
        missing = [c for c in ("metric", "date", "value") if c not in where]
        if missing:
            raise forms.ValidationError(f"The file needs the column{'s' if len(missing) > 1 else ''} "
                                        f"{', '.join(missing)} (found: {', '.join(table.headers)}).")
        for record in table.records:
            cells, problem = record_cells(record, len(table.headers))
            if cells is None:
                self.problems.append((record.row, "", f"This row {problem}."))
                continue
            self._read_row(record.row, {column: cells[index] for column, index in where.items()})
        return upload

    def _metric(self, text: str) -> SuccessMetric:
        if not text:
            raise CellError("Name the metric (its name or id).")
        by_id = [m for m in self.metrics if text.isdigit() and m.pk == int(text)]
        by_name = [m for m in self.metrics if m.name.strip().lower() == text.strip().lower()]
        found = by_id or by_name
        if not found:
            raise CellError(f"This plan has no metric '{text}'.")
        if len(found) > 1:
            raise CellError(f"Several metrics are named '{text}'; use the metric's id ({', '.join(str(m.pk) for m in found)}).")
        return found[0]

    def _read_row(self, row: int, cells: dict[str, str]) -> None:
        parsed: dict[str, Any] = {"note": cells.get("note", "")}
        problems = []
        metric = None
        try:
            metric = parsed["metric"] = self._metric(cells["metric"])
        except CellError as error:
            problems.append((row, "metric", str(error)))
        try:
            parsed["measured_on"] = read_date(cells["date"]) if cells["date"] else None
            if parsed["measured_on"] is None:
                problems.append((row, "date", "Give the date of the measurement."))
        except CellError as error:
            problems.append((row, "date", str(error)))
        if metric is not None:
            try:
                parsed["value"] = pacing.parse_value(metric.unit, cells["value"])
                Measurement._meta.get_field("value").run_validators(parsed["value"])
            except ValueError as error:
                problems.append((row, "value", str(error)))
            except forms.ValidationError as error:
                problems.append((row, "value", " ".join(error.messages)))
        if len(parsed["note"]) > 500:
            problems.append((row, "note", "A note is at most 500 characters."))
        if problems:
            self.problems.extend(problems)
        else:
            self.rows.append(parsed)
            self.row_numbers.append(row)


SERVICE_COLUMNS = {"metric": "metric", "measured_on": "date", "value": "value", "unit": "value", "note": "note"}


# Commitments ------------------------------------------------------------------------------------


class ActionForm(ServiceModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "side", "owner_user", "owner_contact", "due_on"]
        widgets = {"side": forms.RadioSelect, "due_on": DATE}
        labels = {"side": "Whose commitment", "owner_user": "Owner on our side",
                  "owner_contact": "Owner on the customer's side", "due_on": "Due on"}

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        people = writers() | Q(pk=self.instance.owner_user_id) if self.instance.owner_user_id else writers()
        self.fields["owner_user"].queryset = User.objects.filter(people)
        self.fields["owner_contact"] = _contact_field(account, label="Owner on the customer's side", required=False)
        self.fields["side"].choices = Side.choices

    def clean(self):
        cleaned = super().clean()
        # Only the owner of the chosen side counts; the other select may still hold an old choice.
        if cleaned.get("side") == Side.VENDOR:
            cleaned["owner_contact"] = None
        elif cleaned.get("side") == Side.CUSTOMER:
            cleaned["owner_user"] = None
        return cleaned


class ActionDoneForm(QuietLabels, forms.Form):
    done_on = forms.DateField(widget=DATE, initial=_today, label="Done on")


# Plan templates ---------------------------------------------------------------------------------


class TemplateForm(QuietLabels, forms.Form):
    name = forms.CharField(max_length=200)
    use_case = forms.CharField(max_length=200, required=False, label="Use case")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    structure = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "class": "code", "spellcheck": "false"}),
        help_text='A list of goals: {"title", "description", "days", "metrics": [{"name", "unit", "direction", '
                  '"baseline", "target", "days", "checkpoints": [{"days", "target", "label"}]}], '
                  '"actions": [{"title", "side", "days"}], "subgoals": [...]}. Days count from the plan\'s start.',
    )

    @classmethod
    def initial_for(cls, template: PlanTemplate) -> dict[str, Any]:
        return {"name": template.name, "use_case": template.use_case, "description": template.description,
                "structure": json.dumps(template.structure, indent=2)}

    def clean_structure(self):
        text = self.cleaned_data["structure"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"Not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.") from None
