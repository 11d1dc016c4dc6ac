"""Forms of the maintenance pool: opening a plan, committing to it."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komunigi.commons import manifests
from komunigi.commons.models import Module
from komunigi.community.models import Organisation, OrganisationKind
from komunigi.funding import split
from komunigi.funding.forms import AmountField, PercentField, PromiseForm
from komunigi.funding.models import SplitRule
from komunigi.funding.simulation import explain, parse_decimal

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenPlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.PROVIDER).order_by("name"),
        empty_label=None,
    )
    series = forms.CharField(label=_("Odoo series"), max_length=10, initial="12.0")
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)
    modules = forms.CharField(
        label=_("Modules and their cost"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=50_000,
        help_text=_(
            "One module a line: its technical name and the cost of its upkeep "
            "(beesdoo_shift 1 200,00). Or only the names, with the bundle's amount below."
        ),
    )
    bundle = AmountField(
        label=_("One amount for the bundle"),
        required=False,
        help_text=_("Optional: spread equally over the modules listed without a cost."),
    )
    included = forms.CharField(
        label=_("What is included"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        help_text=_("Response time, fixes, minor Odoo updates, CI… Markdown."),
    )
    excluded = forms.CharField(
        label=_("What is not included"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        required=False,
    )
    split_rule = forms.ChoiceField(
        label=_("Split rule"), choices=SplitRule.choices, initial=SplitRule.EQUAL
    )
    overhead = PercentField(
        label=_("Overhead for the community (%)"),
        default=split.ZERO,
        help_text=_("Kept by the community fund to coordinate the work."),
    )
    deadline = forms.DateTimeField(
        label=_("Commitments until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your own time zone."),
    )

    def clean_series(self) -> str:
        series = self.cleaned_data["series"].strip()
        if not manifests.SERIES.match(series):
            raise forms.ValidationError(_("An Odoo series is written like 12.0 or 16.0."))
        return series

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("The deadline must be in the future."))
        return deadline

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", _("The period ends after it starts."))
        if "modules" in data:
            try:
                data["costs"] = self._costs(data["modules"], data.get("bundle"))
            except forms.ValidationError as error:
                self.add_error("modules", error)
        return data

    def _costs(self, text: str, bundle: Decimal | None) -> dict[Module, Decimal | None]:
        wanted: dict[str, Decimal | None] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            name, _space, amount = line.strip().partition(" ")
            if not name:
                continue
            try:
                cost = parse_decimal(amount.strip(), "") if amount.strip() else None
                if cost is not None:
                    split.check_amount(cost, "")
            except split.SplitError as error:
                raise forms.ValidationError(
                    _("Line %(line)s: %(error)s"), params={"line": number, "error": explain(error)}
                ) from None
            if cost == 0:
                raise forms.ValidationError(
                    _("Line %(line)s: each module's upkeep costs something."),
                    params={"line": number},
                )
            wanted[name] = cost
        found = {m.technical_name: m for m in Module.objects.filter(technical_name__in=wanted)}
        unknown = sorted(set(wanted) - set(found))
        if unknown:
            raise forms.ValidationError(
                _("Not in the catalogue: %(names)s."), params={"names": ", ".join(unknown)}
            )
        if not wanted:
            raise forms.ValidationError(_("A plan covers at least one module."))
        without = [name for name, cost in wanted.items() if cost is None]
        if without and not bundle:
            raise forms.ValidationError(
                _("Give a cost to each module, or the bundle's amount for those without one.")
            )
        return {found[name]: cost for name, cost in wanted.items()}


class CommitForm(PromiseForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    cap = AmountField(
        label=_("We pay at most"),
        default=None,
        required=False,
        help_text=_("Optional, for the whole bill. Empty: our shares, whatever they are."),
    )
    field_order = ["organisation", "cap"]

    def __init__(self, *args: Any, organisations: Any, custom_weights: bool, **kwargs: Any) -> None:
        super().__init__(*args, custom_weights=custom_weights, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class JoinForm(forms.Form):
    """A facilitator records that an organisation runs a covered module since a day of the
    period: it joins for the days left."""

    newcomer = forms.ChoiceField(label=_("Organisation and module"))
    joined_on = forms.DateField(label=_("Runs it since"), widget=DATE)
    premium = PercentField(
        label=_("Newcomer's premium (%)"),
        default=split.ZERO,
        help_text=_("Paid on top of its share, to the community fund."),
    )
    weight = AmountField(label=_("Weight"), required=False, help_text=_("For custom weights only."))

    def __init__(self, *args: Any, newcomers: list[Any], custom_weights: bool, **kwargs: Any):
        kwargs.setdefault("initial", {"joined_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.newcomers = {f"{n.organisation.pk}-{n.module.pk}": n for n in newcomers}
        self.fields["newcomer"].choices = [  # type: ignore[attr-defined]
            (key, f"{n.organisation.name} · {n.module.technical_name}")
            for key, n in self.newcomers.items()
        ]
        if not custom_weights:
            del self.fields["weight"]

    def clean_newcomer(self) -> Any:
        return self.newcomers[self.cleaned_data["newcomer"]]
