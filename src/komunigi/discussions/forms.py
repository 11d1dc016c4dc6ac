from django import forms
from django.utils.translation import gettext_lazy as _

from komunigi.discussions.models import Delivery
from komunigi.discussions.services import MAX_BODY

BODY_HELP = _("Markdown: *italics*, **bold**, lists, links.")


class ThreadForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
    )


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=BODY_HELP,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


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
