import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from komunigi.discussions.models import Delivery
from komunigi.discussions.services import MAX_BODY, Upload
from komunigi.needs.forms import check_upload

BODY_HELP = _("Markdown: *italics*, **bold**, lists, links.")


class AttachmentField(forms.FileField):
    """An optional image or PDF file, within the needs' limits; cleaned into an Upload."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("Attach a file"),
            required=False,
            help_text=_("An image or a PDF file (optional)."),
            **kwargs,
        )

    def clean(self, data: Any, initial: Any = None) -> Upload | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        content_type, extension = check_upload(upload)
        upload.seek(0)
        return Upload(upload.name or "file", upload.read(), content_type, extension)


class ThreadForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
    )
    needs = forms.CharField(
        label=_("Needs it is about"),
        required=False,
        max_length=200,
        help_text=_("Their numbers, such as #12, #45 (optional)."),
    )
    file = AttachmentField()

    def __init__(self, *args: Any, visible_needs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visible_needs = visible_needs

    def clean_needs(self) -> list[Any]:
        numbers = sorted({int(n) for n in re.findall(r"\d+", self.cleaned_data["needs"])})
        if not numbers:
            return []
        found = list(self.visible_needs.filter(pk__in=numbers)) if self.visible_needs else []
        missing = sorted(set(numbers) - {need.pk for need in found})
        if missing:
            raise forms.ValidationError(
                _("No need has the number %(numbers)s.")
                % {"numbers": ", ".join(f"#{n}" for n in missing)}
            )
        return found


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=BODY_HELP,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    file = AttachmentField()


class EditPostForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
    )


class SubscriptionForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("How its messages reach you"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    solved = forms.ChoiceField(
        label=_("Solved"),
        required=False,
        choices=[("", _("All threads")), ("yes", _("Solved")), ("no", _("Not solved yet"))],
    )
    tag = forms.SlugField(label=_("Tag"), required=False)
    list = forms.SlugField(label=_("List"), required=False)
