"""Forms of the import page: the upload, the column mapping, and the confirmation."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from paceline.customers.importing.fields import KINDS, Kind
from paceline.customers.importing.parsing import ENCODINGS, FileProblem, decode, read_table
from paceline.customers.importing.values import DATE_ORDERS

DATE_ORDER_CHOICES = list(DATE_ORDERS.items())
# A page request must finish within the web server's timeout (60 s); a new row costs a few
# milliseconds (validation, audit, event), so larger files go through the command instead.
PAGE_MAX_ROWS = 10_000


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k.name, k.label) for k in KINDS.values()], label="What the file holds")
    file = forms.FileField(label="CSV file", help_text="Salesforce and HubSpot exports work as they are.")
    encoding = forms.ChoiceField(choices=list(ENCODINGS.items()), initial="utf-8", label="Encoding")
    date_order = forms.ChoiceField(choices=DATE_ORDER_CHOICES, required=False, label="Dates like 03/01/2026")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}. "
                "Split it, or import it with the paceline import command."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        try:
            text = decode(upload.read(), cleaned.get("encoding", ""))
            rows = len(read_table(text).records)
        except FileProblem as exc:
            self.add_error("file", str(exc))
            return cleaned
        if rows > PAGE_MAX_ROWS:
            self.add_error("file", f"The file has {rows:,} rows; this page imports up to {PAGE_MAX_ROWS:,} at a "
                                   "time. Split it, or use the paceline import command, which has no limit.")
            return cleaned
        cleaned["text"] = text
        return cleaned


class MappingForm(forms.Form):
    """One select per named column of the file, named by position (headers may hold any character).

    A column without a header cannot be told apart from the next one, so it is not offered.
    """

    date_order = forms.ChoiceField(choices=DATE_ORDER_CHOICES, required=False, label="Dates like 03/01/2026")

    def __init__(self, *args, kind: Kind, headers: list[str], current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = [(index, header) for index, header in enumerate(headers) if header]
        options = [("", "— ignore —")] + [(f.name, f"{f.name}: {f.help}") for f in kind.fields]
        for index, header in self.columns:
            self.fields[f"col{index}"] = forms.ChoiceField(
                choices=options, required=False, label=header, initial=current.get(header, ""),
            )

    def column_fields(self):
        return [self[f"col{index}"] for index, _ in self.columns]

    def clean(self):
        cleaned = super().clean()
        chosen: dict[str, list[str]] = {}
        for index, header in self.columns:
            field = cleaned.get(f"col{index}") or ""
            if field:
                chosen.setdefault(field, []).append(header)
        for field, headers in chosen.items():
            if len(headers) > 1:
                self.add_error(None, f"Columns {', '.join(repr(h) for h in headers)} are all mapped to {field}; choose one.")
        cleaned["choices"] = {h: cleaned.get(f"col{i}") or "" for i, h in self.columns}
        return cleaned


class ApplyForm(forms.Form):
    partial = forms.BooleanField(required=False, label="Import the valid rows even if other rows have errors")
