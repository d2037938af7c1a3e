"""Forms of the usage pages. They only parse; the services validate and say which field is wrong."""

from __future__ import annotations

from django import forms

from paceline.usage.models import KeyFeature


def attach_value_error(form: forms.Form, error: ValueError) -> None:
    """A service's ``ValueError("field: message")`` next to the field it names (else on top)."""
    text = str(error)
    name, sep, message = text.partition(": ")
    if sep and name in form.fields:
        form.add_error(name, message)
    else:
        form.add_error(None, text)


class KeyFeatureForm(forms.Form):
    name = forms.CharField(max_length=120, required=False,
                           help_text="What CSMs and customers call it, e.g. “Reports”.")
    key = forms.CharField(max_length=60, required=False,
                          help_text="A short id in lower case (letters, digits, - or _). It cannot change later.")
    event_names = forms.CharField(
        required=False, label="Event names",
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="One a line: the track events that count as using it, or page:<name> for a page view.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, feature: KeyFeature | None = None, **kwargs):
        if feature is not None:
            kwargs.setdefault("initial", {
                "name": feature.name, "key": feature.key, "description": feature.description,
                "event_names": "\n".join(feature.event_names),
            })
        super().__init__(*args, **kwargs)
        self.feature = feature
        if feature is not None:
            # The key names the feature in every stored snapshot: it is not edited.
            self.fields["key"].disabled = True

    def event_name_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["event_names"].splitlines() if line.strip()]


class WriteKeyForm(forms.Form):
    name = forms.CharField(max_length=120, required=False,
                           help_text="The source that will send with it, e.g. “web app” or “mobile”.")
