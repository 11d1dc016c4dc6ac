from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from komunigi.notifications.events import Event, Mode


def _hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


class PreferencesForm(forms.Form):
    """One choice per kind of event, the digest hour and the global pause."""

    digest_hour = forms.TypedChoiceField(
        label=_("Send my daily digest at"),
        coerce=int,
        choices=[(hour, _hour_label(hour)) for hour in range(24)],
        help_text=_("In your time zone. Nothing is sent on a day when nothing happened."),
    )
    paused = forms.BooleanField(
        label=_("Pause every notification"),
        required=False,
        help_text=_(
            "Nothing is e-mailed to you but meeting invitations and account e-mails; your "
            "digest waits until you resume."
        ),
    )

    def __init__(self, *args: Any, events: list[Event], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events = events
        for event in events:
            self.fields[self.field_name(event)] = forms.ChoiceField(
                label=event.label,
                choices=Mode.choices,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(event: Event) -> str:
        return "kind_" + event.kind.replace("-", "_")

    def kind_fields(self) -> list[tuple[Event, forms.BoundField]]:
        return [(event, self[self.field_name(event)]) for event in self.events]

    def modes(self) -> dict[str, Mode]:
        return {
            event.kind: Mode(self.cleaned_data[self.field_name(event)]) for event in self.events
        }
