import zoneinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from komunigi.community.forms import time_zone_choices
from komunigi.community.models import (
    VOTING_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)
from komunigi.formfields import QuickSelect, narrowed
from komunigi.funding.models import MaintenancePlan, MaintenanceStatus
from komunigi.meetings.models import AgendaItem, DecisionRule, ItemKind, Meeting, Reply
from komunigi.needs import lifecycle
from komunigi.needs.models import Need

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # the type of a lazily translated label


def member_supermarkets() -> Any:
    return Organisation.objects.member_supermarkets().order_by("name")


class MeetingForm(forms.ModelForm):
    """The start is typed as a local time in the meeting's own time zone."""

    starts_at = forms.DateTimeField(
        label=capfirst(_("starts at")),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Local time, in the meeting's time zone."),
    )
    time_zone = forms.ChoiceField(
        label=capfirst(_("time zone")), choices=time_zone_choices, widget=QuickSelect
    )
    video_url = forms.URLField(
        label=capfirst(_("video link")), required=False, assume_scheme="https"
    )
    quorum_percent = forms.IntegerField(
        label=_("Quorum: percentage of the member supermarkets represented"),
        min_value=0,
        max_value=100,
        initial=50,
    )

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "starts_at",
            "duration",
            "time_zone",
            "place",
            "video_url",
            "visibility",
            "online_voting",
            "reminder_days",
        ]

    def __init__(self, *args: Any, facilitator: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The community's time zone first and by default, then the facilitator's own.
        first = [settings.TIME_ZONE]
        if facilitator is not None and facilitator.time_zone != settings.TIME_ZONE:
            first.append(facilitator.time_zone)
        others = [c for c in time_zone_choices() if c[0] not in first]
        # A ChoiceField, typed as a plain Field by the stubs.
        self.fields["time_zone"].choices = [(z, z.replace("_", " ")) for z in first] + others  # type: ignore[attr-defined]
        if not self.instance.pk:
            self.initial.setdefault("time_zone", settings.TIME_ZONE)
        if self.instance.pk:
            zone = zoneinfo.ZoneInfo(self.instance.time_zone)
            local = timezone.localtime(self.instance.starts_at, zone)
            self.initial["starts_at"] = local.replace(tzinfo=None, second=0, microsecond=0)
            self.initial["quorum_percent"] = int(self.instance.quorum * 100)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts_at, zone = data.get("starts_at"), data.get("time_zone")
        if starts_at is not None and zone:
            # Read as a wall-clock time where the meeting happens, whoever types it.
            naive = timezone.make_naive(starts_at) if timezone.is_aware(starts_at) else starts_at
            data["starts_at"] = timezone.make_aware(naive, zoneinfo.ZoneInfo(zone))
            # A new or moved start must lie ahead; a past meeting's own start may stay.
            kept = (
                self.instance.pk
                and self.instance.starts_at.replace(second=0, microsecond=0) == data["starts_at"]
            )
            if not kept and data["starts_at"] <= timezone.now():
                self.add_error("starts_at", _("This time is already past: check the date."))
        if data.get("quorum_percent") is not None:
            data["quorum"] = Decimal(data["quorum_percent"]) / 100
        if not data.get("place") and not data.get("video_url") and not self.has_error("video_url"):
            self.add_error("place", _("Say where the meeting takes place, or give a video link."))
        return data

    def meeting_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in [*self.Meta.fields, "quorum"]}


class ReplyForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"), choices=Reply.choices, widget=forms.RadioSelect
    )
    proxy_to = forms.ModelChoiceField(
        label=_("Proxy given to"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, own: Organisation | None, find: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supermarkets = member_supermarkets()
        if own is not None:
            supermarkets = supermarkets.exclude(pk=own.pk)
        # In a large community, the supermarket that gets the proxy is found by its name.
        self.narrow = False
        if not self.is_bound:
            supermarkets, self.narrow = narrowed(supermarkets, find)
        # A ModelChoiceField, typed as a plain Field by the stubs.
        self.fields["proxy_to"].queryset = supermarkets  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    """Who is in the room, offered from the meeting itself: the member organisations not yet
    recorded, the people who speak for them (named with their supermarket), and the
    supermarkets present in person that may still carry a proxy. In a large community the
    organisations and proxy holders are narrowed by a name typed in a search field first
    (``find``, ``holder``), so that no select offers more than `CHOICES_SHOWN` choices."""

    organisation = forms.ModelChoiceField(
        label=capfirst(_("organisation")), queryset=Organisation.objects.none()
    )
    person = forms.ModelChoiceField(
        label=_("Represented by"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("A supermarket's representative or substitute."),
    )
    proxy_holder = forms.ModelChoiceField(
        label=_("Or: by the proxy of"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("A supermarket present in the room, which carries no other proxy."),
    )

    def __init__(
        self, *args: Any, meeting: Meeting, find: str = "", holder: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        present = meeting.attendances.all()
        absent = Organisation.objects.members().exclude(pk__in=present.values("organisation"))
        holders = (
            member_supermarkets()
            .filter(pk__in=present.filter(proxy_holder=None).values("organisation"))
            .exclude(pk__in=present.exclude(proxy_holder=None).values("proxy_holder"))
        )
        if self.is_bound:  # what was sent is checked against all the meeting allows
            organisations, self.narrow = absent, False
            self.narrow_holders = False
        else:
            organisations, self.narrow = narrowed(absent.order_by("name"), find)
            holders, self.narrow_holders = narrowed(holders, holder)
        self.fields["organisation"].queryset = organisations.order_by("name")  # type: ignore[attr-defined]
        self.fields["proxy_holder"].queryset = holders  # type: ignore[attr-defined]
        voices = Membership.objects.filter(
            role__in=VOTING_ROLES,
            organisation__kind=OrganisationKind.SUPERMARKET,
            organisation__in=organisations,
            user__is_active=True,
        )
        speaking = dict(voices.values_list("user_id", "organisation__name"))
        people = self.fields["person"]
        invited = meeting.invitations.filter(
            Q(organisation__in=organisations) | Q(organisation=None)
        )
        # A ModelChoiceField, typed as a plain Field by the stubs.
        people.queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True)
            .filter(Q(pk__in=voices.values("user")) | Q(pk__in=invited.values("user")))
            .distinct()
            .order_by("full_name")
        )
        people.label_from_instance = lambda user: (  # type: ignore[attr-defined]
            f"{user.full_name} ({speaking[user.pk]})" if user.pk in speaking else user.full_name
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("person") and data.get("proxy_holder"):
            raise forms.ValidationError(_("Either a person in the room, or a proxy: not both."))
        return data


class ItemForm(forms.ModelForm):
    rule = forms.ChoiceField(
        label=capfirst(_("rule")),
        choices=DecisionRule.choices,
        required=False,
        help_text=_("For decisions."),
    )

    class Meta:
        model = AgendaItem
        fields = ["kind", "title", "need", "maintenance_plan", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, find: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quoted = Need.objects.filter(status=lifecycle.QUOTED).order_by("title")
        self.narrow = False
        if not self.is_bound:  # among many quoted needs, found by words of their title
            quoted, self.narrow = narrowed(quoted, find, field="title")
        # A ModelChoiceField, typed as a plain Field by the stubs.
        self.fields["need"].queryset = quoted  # type: ignore[attr-defined]
        self.fields["maintenance_plan"].queryset = MaintenancePlan.objects.filter(  # type: ignore[attr-defined]
            status=MaintenanceStatus.COLLECTING
        ).order_by("-starts_on", "title")
        self.fields["title"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == ItemKind.NEED_DECISION and not data.get("need"):
            self.add_error("need", _("Choose the need to decide on."))
        elif data.get("kind") == ItemKind.PLAN_DECISION and not data.get("maintenance_plan"):
            self.add_error("maintenance_plan", _("Choose the maintenance plan to decide on."))
        elif data.get("kind") not in (
            ItemKind.NEED_DECISION,
            ItemKind.PLAN_DECISION,
        ) and not data.get("title"):
            self.add_error("title", _("Give the item a title."))
        return data


class VoteForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Vote on behalf of"), queryset=Organisation.objects.none(), empty_label=None
    )
    choice = forms.ChoiceField(label=_("Your vote"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Why you object"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        choices: list[tuple[str, "StrOrPromise"]],
        supermarkets: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # A ChoiceField and a ModelChoiceField, typed as plain Fields by the stubs.
        self.fields["choice"].choices = choices  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = supermarkets  # type: ignore[attr-defined]


class OpenDecisionForm(forms.Form):
    """The online deadline is typed as a local time of the meeting's own time zone."""

    online_until = forms.DateTimeField(
        label=_("Absent supermarkets may vote online until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(meeting.time_zone)
        self.fields["online_until"].help_text = meeting.time_zone

    def clean_online_until(self) -> Any:
        value = self.cleaned_data["online_until"]
        if value is None:
            return None
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        value = timezone.make_aware(naive, self.zone)
        if value <= timezone.now():
            raise forms.ValidationError(_("The online deadline must be in the future."))
        return value


class RuleForm(forms.Form):
    rule = forms.ChoiceField(label=capfirst(_("rule")), choices=DecisionRule.choices)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=capfirst(_("minutes")),
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("Markdown."),
    )
