from django import forms

from notifications.core.events import ALL_EVENTS
from notifications.models import ChannelKind

EVENT_CHOICES = [
    ("project.status_changed", "Status changed (on track / at risk / off track / no plan)"),
    ("project.stale", "Became stale"),
    ("project.completed", "Plan completed"),
    ("project.refresh_failing", "Refresh keeps failing"),
    ("project.recovered", "Refresh works again"),
    ("digest.weekly", "Weekly digest (email only)"),
]
assert [c for c, _ in EVENT_CHOICES] == list(ALL_EVENTS)


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(choices=ChannelKind.choices)
    target = forms.CharField(
        max_length=2048,
        label="Address or URL",
        help_text="An email address, or the webhook URL (https) the service gave you.",
    )
    name = forms.CharField(max_length=100, required=False)
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    enabled = forms.BooleanField(required=False, initial=True)


class ChannelEditForm(ChannelForm):
    """Editing: the kind is fixed; a blank target keeps the stored one (it is never shown)."""

    # None removes the inherited field (Django's idiom), which django-stubs does not model.
    kind = None  # type: ignore[assignment]
    target = forms.CharField(
        max_length=2048,
        required=False,
        label="New address or URL",
        help_text="Leave blank to keep the current one.",
    )
