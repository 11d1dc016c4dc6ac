from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from komunigi.news.models import OTHER_LANGUAGES, Issue, SubscriberStatus
from komunigi.news.services import TEXT_FIELDS


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter a valid e-mail address, such as name@example.org."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the newsletter"),
        choices=settings.LANGUAGES,
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )
    # A field people never see: robots that fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_from_robot(self) -> bool:
        return bool(self.data.get("website"))


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = TEXT_FIELDS
        widgets = {
            f"body_{code}": forms.Textarea(attrs={"rows": 14}) for code in ["fr", *OTHER_LANGUAGES]
        }
        help_texts = {"body_fr": _("In Markdown: **bold**, *italics*, [a link](https://…), lists.")}
        error_messages = {
            "title_fr": {"required": _("Give the issue a French title.")},
            "body_fr": {"required": _("Write the issue's French text.")},
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        languages = dict(settings.LANGUAGES)
        for code in OTHER_LANGUAGES:
            title = (cleaned.get(f"title_{code}") or "").strip()
            body = (cleaned.get(f"body_{code}") or "").strip()
            if bool(title) != bool(body):
                missing = f"body_{code}" if title else f"title_{code}"
                self.add_error(
                    missing,
                    _("Give both a title and a text in %(language)s, or neither.")
                    % {"language": languages[code]},
                )
        return cleaned

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in TEXT_FIELDS}

    def language_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in one group per language, French first."""
        languages = dict(settings.LANGUAGES)
        return [
            (str(languages[code]), [self[f"title_{code}"], self[f"body_{code}"]])
            for code in ["fr", *OTHER_LANGUAGES]
        ]


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your own time zone."),
        error_messages={
            "required": _("Choose the day and time of sending."),
            "invalid": _("Enter a day and a time."),
        },
    )

    def clean_scheduled_at(self) -> datetime:
        value: datetime = self.cleaned_data["scheduled_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future, or send the issue now."))
        return value


class SubscriberSearchForm(forms.Form):
    q = forms.CharField(label=_("Address contains"), required=False, max_length=254)
    status = forms.ChoiceField(
        label=capfirst(_("status")),
        required=False,
        choices=[("", _("All")), *SubscriberStatus.choices],
    )
    language = forms.ChoiceField(
        label=capfirst(_("language")),
        required=False,
        choices=[("", _("All")), *settings.LANGUAGES],
    )
