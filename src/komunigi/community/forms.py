import datetime
import functools
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from komunigi.community.models import (
    ApiToken,
    JoinRequest,
    OrganisationKind,
    Role,
    User,
    known_time_zones,
)
from komunigi.formfields import QuickSelect


class JoinRequestForm(forms.ModelForm):
    # A field people never see: robots that fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to be contacted by the facilitators about this request."),
        error_messages={"required": _("We can only answer if you agree to be contacted.")},
    )

    class Meta:
        model = JoinRequest
        fields = [
            "organisation_name",
            "kind",
            "country",
            "contact_name",
            "contact_email",
            "message",
            "consent",
        ]
        labels = {
            "kind": _("Kind of organisation"),
            "contact_name": _("Your name"),
            "contact_email": _("Your e-mail address"),
            "message": _("Tell us about your organisation and what you expect"),
        }
        widgets = {
            "organisation_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "message": forms.Textarea(attrs={"rows": 6}),
            "country": QuickSelect,  # some 250 countries
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose = ("", _("Choose…"))
        # Choice fields, typed as plain Fields by the stubs.
        self.fields["kind"].choices = [choose, *OrganisationKind.choices]  # type: ignore[attr-defined]
        self.fields["country"].choices = [choose, *countries]  # type: ignore[attr-defined]

    def cleaned_data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    @property
    def is_from_robot(self) -> bool:
        return bool(self.data.get("website"))


class DeclineJoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the contact"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("It is e-mailed to the contact, in the language of their request."),
    )


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Asked once per process: listing the time zones reads the whole tz database."""
    return [(name, name.replace("_", " ")) for name in sorted(known_time_zones())]


class AccountForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("time zone"), choices=time_zone_choices, widget=QuickSelect
    )

    class Meta:
        model = User
        fields = ["full_name", "language", "time_zone"]
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New e-mail address"), max_length=254)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password

    def clean_email(self) -> str:
        from komunigi.community import email_change

        address = self.cleaned_data["email"]
        if address.lower() == self.user.email.lower():
            raise forms.ValidationError(_("Your account uses this address already."))
        if email_change.address_taken(address, by_other_than=self.user):
            raise forms.ValidationError(_("Another account uses this address already."))
        return address


class ApiTokenForm(forms.ModelForm):
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("A year from today unless you choose otherwise; two years at most."),
    )

    class Meta:
        model = ApiToken
        fields = ["name", "read_only"]
        labels = {"name": _("What is this token for?")}
        help_texts = {"name": _("For example: “monthly report script”.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].initial = timezone.localdate() + datetime.timedelta(days=365)

    def clean_valid_until(self) -> datetime.date:
        today = timezone.localdate()
        day = self.cleaned_data["valid_until"] or today + datetime.timedelta(days=365)
        if day <= today:
            raise forms.ValidationError(_("A day after today."))
        if day > today + datetime.timedelta(days=2 * 366):
            raise forms.ValidationError(_("Two years from today at most."))
        return day

    def expires_at(self) -> datetime.datetime:
        """The end of the chosen day, in the site's time zone."""
        day = self.cleaned_data["valid_until"] + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


class InvitePersonForm(forms.Form):
    full_name = forms.CharField(label=capfirst(_("full name")), max_length=200)
    email = forms.EmailField(label=capfirst(_("e-mail address")))
    role = forms.ChoiceField(
        label=capfirst(_("role")),
        choices=[(Role.MEMBER, Role.MEMBER.label), (Role.SUBSTITUTE, Role.SUBSTITUTE.label)],
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=capfirst(_("role")), choices=Role.choices)
