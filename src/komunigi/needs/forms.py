import re
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from komunigi.community.models import Organisation, OrganisationKind, OrganisationStatus
from komunigi.dates import instance_today
from komunigi.formfields import CHOICES_SHOWN, DecimalAmountField, narrowed
from komunigi.needs import lifecycle
from komunigi.needs.models import (
    MEMBER_SUPERMARKET_INTEREST,
    Comment,
    EstimateAssignment,
    Interest,
    Need,
    NeedStatus,
    PriorityRound,
    Quote,
)
from komunigi.needs.services import MAX_TAG_LENGTH, MAX_TAGS


class NeedForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(
        label=capfirst(_("proposed by")), queryset=Organisation.objects.none(), empty_label=None
    )
    tags_text = forms.CharField(
        label=capfirst(_("tags")),
        required=False,
        max_length=500,
        help_text=_("Odoo areas or modules, separated by commas: “stock, point of sale”."),
    )

    class Meta:
        model = Need
        fields = ["title", "organisation", "problem", "expected_outcome", "odoo_series"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 8}),
            "expected_outcome": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organisation"]  # a need keeps the organisation that proposed it
            self.initial["tags_text"] = ", ".join(t.name for t in self.instance.tags.all())
        else:
            # A ModelChoiceField, typed as a plain Field by the stubs.
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean_tags_text(self) -> list[str]:
        return check_tag_names(re.split(r"[,;]", self.cleaned_data["tags_text"]))


def check_tag_names(names: list[str]) -> list[str]:
    """The tags named, blanks left out, within what a need takes: the form's rule, and the
    API's for the list it is sent."""
    names = [name.strip() for name in names if name.strip()]
    if len(names) > MAX_TAGS:
        raise forms.ValidationError(
            _("At most %(count)d tags, please."), params={"count": MAX_TAGS}
        )
    if any(len(name) > MAX_TAG_LENGTH for name in names):
        raise forms.ValidationError(_("A tag has at most 50 characters."))
    return names


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=capfirst(_("new status")))
    reason = forms.CharField(
        label=capfirst(_("why")),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A ChoiceField, typed as a plain Field by the stubs.
        self.fields["status"].choices = [(s, NeedStatus(s).label) for s in allowed]  # type: ignore[attr-defined]


def allowed_statuses(need: Need, can_change: Any) -> list[str]:
    """The statuses ``need`` may move to that this person may choose, in lifecycle order."""
    manual = lifecycle.manual_statuses(need.status)
    return [s for s in NeedStatus.values if s in manual and can_change(s)]


class InterestForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(
        label=capfirst(_("supermarket")), queryset=Organisation.objects.none(), empty_label=None
    )

    class Meta:
        model = Interest
        fields = ["organisation", "priority", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, supermarkets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A ModelChoiceField, typed as a plain Field by the stubs.
        self.fields["organisation"].queryset = supermarkets  # type: ignore[attr-defined]


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}


# The first bytes that prove a file's type, whatever its name says.
SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
]


def detect_type(upload: UploadedFile) -> tuple[str, str] | None:
    """(content type, extension) from the file's own bytes, or None if not allowed."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def check_upload(upload: Any) -> tuple[str, str]:
    """(content type, extension) of an attachment within the instance's limits (size, and
    images or PDF by their own bytes), or the error that says why not. Needs and list posts
    take the same files."""
    limit = settings.KOMUNIGI_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is too big: %(size)s at most."), params={"size": filesizeformat(limit)}
        )
    detected = detect_type(upload)
    if detected is None:
        raise forms.ValidationError(_("Only images (PNG, JPEG, GIF, WebP) and PDF files."))
    return detected


class AttachmentForm(forms.Form):
    file = forms.FileField(label=capfirst(_("file")), help_text=_("An image or a PDF file."))

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        self.content_type, self.extension = check_upload(upload)
        return upload


class QuoteForm(forms.ModelForm):
    provider = forms.ModelChoiceField(
        label=capfirst(_("provider")), queryset=Organisation.objects.none(), empty_label=None
    )

    class Meta:
        model = Quote
        fields = [
            "provider",
            "amount",
            "provider_contribution",
            "estimated_days",
            "valid_until",
            "scope",
        ]
        widgets = {
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "scope": forms.Textarea(attrs={"rows": 5}),
        }
        field_classes = {
            "amount": DecimalAmountField,
            "provider_contribution": DecimalAmountField,
            "estimated_days": DecimalAmountField,
        }

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A ModelChoiceField, typed as a plain Field by the stubs.
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]

    def clean_valid_until(self) -> Any:
        valid_until = self.cleaned_data["valid_until"]
        if valid_until < instance_today():
            raise forms.ValidationError(_("A quote must be valid at least until today."))
        return valid_until

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        amount, contribution = data.get("amount"), data.get("provider_contribution")
        if amount is not None and contribution is not None and contribution > amount:
            self.add_error(
                "provider_contribution",
                _("The provider's contribution cannot exceed the amount."),
            )
        return data


class EstimateAssignmentForm(forms.ModelForm):
    hours_budget = DecimalAmountField(
        label=capfirst(_("budget of hours")),
        min_value=Decimal("0.25"),
        max_digits=6,
        decimal_places=2,
    )
    provider = forms.ModelChoiceField(
        label=capfirst(_("provider")),
        queryset=Organisation.objects.filter(
            kind=OrganisationKind.PROVIDER, status=OrganisationStatus.MEMBER
        ),
    )

    class Meta:
        model = EstimateAssignment
        fields = ["provider", "hours_budget"]


class EstimateHoursForm(forms.Form):
    hours_spent = DecimalAmountField(
        label=capfirst(_("hours spent")), min_value=Decimal("0"), max_digits=6, decimal_places=2
    )


class RoundForm(forms.ModelForm):
    candidates = forms.ModelMultipleChoiceField(
        label=capfirst(_("candidate needs")),
        queryset=Need.objects.filter(status__in=lifecycle.RANKABLE).order_by("title"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Open or quoted needs; at least two."),
    )
    deadline = forms.DateTimeField(
        label=capfirst(_("deadline")),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your own time zone."),
    )

    class Meta:
        model = PriorityRound
        fields = ["title", "candidates", "deadline"]

    def __init__(self, *args: Any, find: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rankable = Need.objects.filter(status__in=lifecycle.RANKABLE)
        self.narrow = not self.is_bound and rankable.count() > CHOICES_SHOWN
        if self.narrow:
            # Among many, the most wanted ones, and those whose title has the words typed.
            wanted = rankable.annotate(
                supermarkets=Count("interests", filter=MEMBER_SUPERMARKET_INTEREST)
            ).order_by("-supermarkets", "-pk")
            ids = list(wanted.values_list("pk", flat=True)[:CHOICES_SHOWN])
            found, _narrow = narrowed(rankable, find, field="title")
            # A ModelMultipleChoiceField, typed as a plain Field by the stubs.
            self.fields["candidates"].queryset = (  # type: ignore[attr-defined]
                rankable.filter(Q(pk__in=ids) | Q(pk__in=found.values("pk"))).order_by("title")
            )

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("The deadline must be in the future."))
        return deadline


class BallotForm(forms.Form):
    """One rank number per candidate: 1 for the most wanted; equal numbers are ties; a need
    left blank ranks below all the numbered ones."""

    organisation = forms.ModelChoiceField(
        label=capfirst(_("ranking for")), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(
        self, *args: Any, candidates: list[Need], supermarkets: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        # A ModelChoiceField, typed as a plain Field by the stubs.
        self.fields["organisation"].queryset = supermarkets  # type: ignore[attr-defined]
        for need in candidates:
            self.fields[f"rank_{need.pk}"] = forms.IntegerField(
                label=need.title,
                required=False,
                min_value=1,
                max_value=len(candidates),
                widget=forms.NumberInput(attrs={"class": "rank", "inputmode": "numeric"}),
            )

    def rank_fields(self) -> list[tuple[Need, forms.BoundField]]:
        return [(need, self[f"rank_{need.pk}"]) for need in self.candidates]

    def ranks(self) -> dict[int, int | None]:
        return {need.pk: self.cleaned_data.get(f"rank_{need.pk}") for need in self.candidates}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.is_bound and not self.errors and not any(self.ranks().values()):
            raise forms.ValidationError(_("Give a rank to at least one need."))
        return data
