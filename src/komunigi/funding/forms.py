from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from komunigi.funding import split
from komunigi.funding.simulation import explain, parse_decimal

MAX_SIMULATED_PARTICIPANTS = 50


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
            raise forms.ValidationError(refusal(error)) from None


def refusal(error: split.SplitError) -> str:
    return explain(error, settings.KOMUNIGI_CURRENCY, get_language())


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
        rows[int(index)].add_error("name" if name == "key" else name, refusal(error))
    elif error.field == "participants":
        form.add_error(None, refusal(error))
    elif error.field == "overhead_rate":
        # The page asks for a percentage: word the engine's rate limits in percent.
        if error.code == split.TOO_PRECISE:
            form.add_error("overhead", refusal(split.SplitError(error.code, "", places=2)))
        else:
            form.add_error("overhead", _("From 0 to less than 100."))
    else:
        form.add_error(error.field, refusal(error))
