from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from komunigi.community.models import Organisation
from komunigi.dates import show_date
from komunigi.formfields import primary_key
from komunigi.funding import split
from komunigi.funding.models import ExpenseCategory, Fee, FeeTier, SplitRule, TransactionKind
from komunigi.funding.services.sponsorships import is_valid_percentage
from komunigi.funding.simulation import explain, parse_decimal
from komunigi.money import format_money
from komunigi.needs.models import Need, Quote

MAX_SIMULATED_PARTICIPANTS = 50
MAX_WEIGHT = Decimal("99999999.99")  # what Pledge.weight holds


class DecimalTextField(forms.CharField):
    """A number typed as people type it ("1 234,50"), read by the same parser as the API's,
    so both refuse the same input with the same words. Ranges are the engine's to check."""

    def __init__(self, *, default: Decimal | None = None, **kwargs) -> None:
        self.default = default
        kwargs.setdefault("required", default is None)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "maxlength": "30"})

    def to_python(self, value: str | None) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return self.default
        try:
            return parse_decimal(text, "")
        except split.SplitError as error:
            raise forms.ValidationError(explain(error)) from None


class AmountField(DecimalTextField):
    """An amount of money, checked by the engine's own rule (whole cents, not negative)."""

    def clean(self, value: Any) -> Decimal | None:
        amount = super().clean(value)
        if amount is not None:
            try:
                split.check_amount(amount, "")
            except split.SplitError as error:
                raise forms.ValidationError(explain(error)) from None
        return amount


class PaymentAmountField(AmountField):
    """Money that moves: a whole number of cents above zero."""

    def clean(self, value: Any) -> Decimal | None:
        amount = super().clean(value)
        if amount == 0:
            raise forms.ValidationError(_("A payment moves some money."))
        return amount


class PercentField(DecimalTextField):
    """A percentage typed by a person, from 0 to less than 100, in hundredths at most."""

    def clean(self, value: Any) -> Decimal | None:
        percent = super().clean(value)
        if percent is not None and (
            not 0 <= percent < 100 or percent != percent.quantize(Decimal("0.01"))
        ):
            raise forms.ValidationError(_("From 0 to less than 100, with at most 2 decimals."))
        return percent


class BankTransferForm(forms.Form):
    """Money that moved on a bank account: how much, when, under which reference."""

    amount = PaymentAmountField(label=_("Amount"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)


class SimulatorForm(forms.Form):
    total = DecimalTextField(label=_("Cost of the development"))
    provider_contribution = DecimalTextField(
        label=_("The provider's contribution"), default=split.ZERO
    )
    community_contribution = DecimalTextField(
        label=_("The community fund's contribution"), default=split.ZERO
    )
    overhead = DecimalTextField(
        label=_("Overhead for the community (%)"),
        default=split.ZERO,
        help_text=_("Kept by the community fund to coordinate the work."),
    )


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("Supermarket"), max_length=100, required=False)
    weight = DecimalTextField(
        label=_("Weight"), default=Decimal(1), help_text=_("e.g. its member households")
    )
    cap = DecimalTextField(
        label=_("Pays at most"), default=None, required=False, help_text=_("Empty: no limit.")
    )


ParticipantFormSet = forms.formset_factory(
    ParticipantForm, extra=0, max_num=MAX_SIMULATED_PARTICIPANTS, validate_max=True
)


def simulate(form: SimulatorForm, participants: forms.BaseFormSet) -> split.Split | None:
    """The split the two forms describe, or ``None`` with the engine's refusal added to the
    field it names."""
    if not (form.is_valid() and participants.is_valid()):
        return None
    rows = [row for row in participants if row.cleaned_data.get("name", "").strip()]
    try:
        return split.split(
            form.cleaned_data["total"],
            [
                split.Participant(
                    row.cleaned_data["name"].strip(),
                    row.cleaned_data["weight"],
                    row.cleaned_data["cap"],
                )
                for row in rows
            ],
            provider_contribution=form.cleaned_data["provider_contribution"],
            community_contribution=form.cleaned_data["community_contribution"],
            overhead_rate=form.cleaned_data["overhead"] / 100,
        )
    except split.SplitError as error:
        _add_error(form, rows, error)
        return None


def _add_error(form: SimulatorForm, rows: list[forms.Form], error: split.SplitError) -> None:
    if error.field.startswith("participants["):
        index, name = error.field.removeprefix("participants[").split("].")
        rows[int(index)].add_error("name" if name == "key" else name, explain(error))
    elif error.field == "participants":
        form.add_error(None, explain(error))
    elif error.field == "overhead_rate":
        # The page asks for a percentage: word the engine's rate limits in percent.
        if error.code == split.TOO_PRECISE:
            form.add_error("overhead", explain(split.SplitError(error.code, "", places=2)))
        else:
            form.add_error("overhead", _("From 0 to less than 100."))
    else:
        form.add_error(error.field, explain(error))


class OpenCampaignForm(forms.Form):
    quote = forms.ModelChoiceField(
        label=_("Quote"), queryset=Quote.objects.none(), empty_label=None
    )
    split_rule = forms.ChoiceField(
        label=_("Split rule"), choices=SplitRule.choices, initial=SplitRule.EQUAL
    )
    overhead = PercentField(
        label=_("Overhead for the community (%)"),
        default=split.ZERO,
        help_text=_("Kept by the community fund to coordinate the work."),
    )
    community_contribution = AmountField(
        label=_("The community fund's contribution"),
        default=split.ZERO,
        required=False,
        help_text=_("Optional: paid by the community fund, only if the campaign is funded."),
    )
    minimum_supermarkets = forms.IntegerField(
        label=_("Minimum number of supermarkets"), min_value=1, max_value=100, initial=2
    )
    deadline = forms.DateTimeField(
        label=_("Deadline for pledges"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your own time zone."),
    )

    def __init__(self, *args: Any, need: Need, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quote_field = self.fields["quote"]
        quote_field.queryset = need.quotes.valid().select_related("provider")  # type: ignore[attr-defined]
        quote_field.label_from_instance = _quote_label  # type: ignore[attr-defined]

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("The deadline must be in the future."))
        return deadline

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        quote, contribution = data.get("quote"), data.get("community_contribution")
        too_much = (
            quote is not None
            and contribution is not None
            and quote.provider_contribution + contribution > quote.amount
        )
        if too_much:
            self.add_error(
                "community_contribution",
                _("With the provider's contribution, it would exceed the cost."),
            )
        return data


class CancelCampaignForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=300)
    withdraw_need = forms.BooleanField(
        label=_("Withdraw the need too"),
        required=False,
        help_text=_("Otherwise it can be reopened and decided again."),
    )


def _quote_label(quote: Quote) -> str:
    return _("%(provider)s: %(amount)s, valid until %(date)s") % {
        "provider": quote.provider.name,
        "amount": format_money(quote.amount, settings.KOMUNIGI_CURRENCY, get_language()),
        "date": show_date(quote.valid_until),
    }


class PromiseForm(forms.Form):
    """A conditional promise to pay a share: a campaign's pledge, a maintenance plan's
    commitment. Subclasses add who promises, and say it first."""

    cap = AmountField(
        label=_("We pay at most"),
        default=None,
        required=False,
        help_text=_("Optional. Empty: our share, whatever it is."),
    )
    weight = DecimalTextField(
        label=_("Weight"), default=None, required=False, help_text=_("The weight agreed for us.")
    )
    needs_board_approval = forms.BooleanField(
        label=_("Subject to our board's approval"),
        required=False,
        help_text=_("It counts once you confirm it here."),
    )

    def __init__(self, *args: Any, custom_weights: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not custom_weights:
            del self.fields["weight"]

    def clean_weight(self) -> Decimal | None:
        weight = self.cleaned_data.get("weight")
        if weight is not None and not 0 < weight <= MAX_WEIGHT:
            raise forms.ValidationError(_("A weight must be more than 0."))
        if weight is not None and weight != weight.quantize(Decimal("0.01")):
            # Kept with two decimals: 0.001 would be kept as 0.00, a weight of nothing.
            raise forms.ValidationError(_("A weight has at most two decimals."))
        return weight


class PledgeForm(PromiseForm):
    supermarket = forms.ModelChoiceField(
        label=_("Supermarket"), queryset=Organisation.objects.none(), empty_label=None
    )
    field_order = ["supermarket"]

    def __init__(self, *args: Any, supermarkets: Any, custom_weights: bool, **kwargs: Any) -> None:
        super().__init__(*args, custom_weights=custom_weights, **kwargs)
        self.fields["supermarket"].queryset = supermarkets  # type: ignore[attr-defined]


class PaymentForm(BankTransferForm):
    organisation = forms.ModelChoiceField(
        label=_("From or to"), queryset=Organisation.objects.none(), empty_label=None
    )
    field_order = ["organisation", "amount", "date", "reference"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class ReversalForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=300)


class LateJoinerForm(forms.Form):
    supermarket = forms.ModelChoiceField(
        label=_("Supermarket"), queryset=Organisation.objects.none(), empty_label=None
    )
    premium = PercentField(
        label=_("Late-joiner premium (%)"),
        default=split.ZERO,
        help_text=_("Paid on top of its share, to the community fund."),
    )

    def __init__(self, *args: Any, supermarkets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supermarket"].queryset = supermarkets  # type: ignore[attr-defined]


class SponsorshipForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Supermarket"), queryset=Organisation.objects.none(), empty_label=None
    )
    percentage = DecimalTextField(
        label=_("Share of its shares paid by the fund (%)"),
        help_text=_("For example 50: the fund pays half of each of its shares."),
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Why"), max_length=300, required=False)

    def __init__(self, *args: Any, supermarkets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = supermarkets  # type: ignore[attr-defined]

    def clean_percentage(self) -> Decimal:
        percentage = self.cleaned_data["percentage"]
        if not is_valid_percentage(percentage):
            raise forms.ValidationError(_("Above 0 and at most 100, with at most 2 decimals."))
        return percentage

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The sponsorship ends before it starts."))
        return data


class FeeTierForm(forms.Form):
    # Chosen on the organisation's row of the list: sent back hidden.
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), widget=forms.HiddenInput
    )
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=FeeTier.objects.all(), empty_label=None)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.chosen = organisations.filter(pk=primary_key(self["organisation"].value())).first()


class FundEntryForm(BankTransferForm):
    kind = forms.ChoiceField(
        label=_("Income or expense"),
        choices=[(TransactionKind.SUBSIDY, _("Subsidy")), (TransactionKind.EXPENSE, _("Expense"))],
    )
    category = forms.ChoiceField(
        label=_("Expense for"),
        choices=ExpenseCategory.choices,
        required=False,
        help_text=_("For an expense only."),
    )
    description = forms.CharField(label=_("What"), max_length=300)
    field_order = ["kind", "category", "amount", "date", "description", "reference"]


class FeePaymentForm(BankTransferForm):
    # Chosen on the fee's row of the list: the form names it, and sends it back hidden.
    fee = forms.ModelChoiceField(
        label=_("Fee"), queryset=Fee.objects.none(), widget=forms.HiddenInput
    )
    field_order = ["fee", "amount", "date", "reference"]

    def __init__(self, *args: Any, fees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fee"].queryset = fees  # type: ignore[attr-defined]
        # The fee the form is about, named on the page (None when the one sent is unknown).
        self.chosen = fees.filter(pk=primary_key(self["fee"].value())).first()


class RefundForm(BankTransferForm):
    """A credit paid back to the organisation."""
