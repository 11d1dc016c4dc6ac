"""Co-financing endpoints of the JSON API."""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from komunigi.funding import split
from komunigi.funding.simulation import explain, parse_decimal
from komunigi.money import money_text

router = Router(tags=["funding"])

MAX_PARTICIPANTS = 200
ZERO = "0"


class ParticipantIn(Schema):
    key: str = Field(min_length=1, max_length=100, description="Unique among the participants")
    weight: str = Field("1", description="A decimal string above 0")
    cap: str | None = Field(None, description="The most it agrees to pay; null: no limit")


class SimulationIn(Schema):
    # The document says what the engine refuses (an empty cost, no participant), while the
    # engine keeps refusing it with its own translated words rather than pydantic's.
    total: str = Field(
        description='The development\'s cost, e.g. "300.00"', json_schema_extra={"minLength": 1}
    )
    provider_contribution: str = Field(ZERO, description="What the provider pays itself")
    community_contribution: str = Field(ZERO, description="What the community fund pays")
    overhead_rate: str = Field(ZERO, description="Kept for the community fund, in [0, 1)")
    participants: list[ParticipantIn] = Field(
        max_length=MAX_PARTICIPANTS, json_schema_extra={"minItems": 1}
    )


class ShareOut(Schema):
    key: str
    amount: str


class CurvePointOut(Schema):
    participants: int
    share: str


class SimulationOut(Schema):
    to_raise: str
    overhead: str
    fundable: bool
    shortfall: str
    shares: list[ShareOut]
    curve: list[CurvePointOut]


class SimulationProblem(Schema):
    detail: str
    field: str


@router.post(
    "/funding/simulate",
    response={200: SimulationOut, 422: SimulationProblem},
    auth=None,
    summary="Split a development's cost among participants",
)
def simulate(request: HttpRequest, payload: SimulationIn):
    """The split engine the campaigns use: `to_raise = (total − contributions) × (1 +
    overhead_rate)`, shared in proportion to weights, nobody above its cap, rounded to cents
    by largest remainder. Amounts are decimal strings with at most 2 decimals; `shares` keep
    the order of `participants` and sum exactly to `to_raise`; when the caps cannot cover it,
    `fundable` is false, `shortfall` says by how much and `shares` is empty."""
    try:
        result = split.split(
            parse_decimal(payload.total, "total"),
            [
                split.Participant(
                    p.key,
                    parse_decimal(p.weight, f"participants[{i}].weight"),
                    None if p.cap is None else parse_decimal(p.cap, f"participants[{i}].cap"),
                )
                for i, p in enumerate(payload.participants)
            ],
            provider_contribution=parse_decimal(
                payload.provider_contribution, "provider_contribution"
            ),
            community_contribution=parse_decimal(
                payload.community_contribution, "community_contribution"
            ),
            overhead_rate=parse_decimal(payload.overhead_rate, "overhead_rate"),
        )
    except split.SplitError as error:
        message = explain(error)
        return Status(422, {"detail": f"{error.field}: {message}", "field": error.field})
    return {
        "to_raise": money_text(result.to_raise),
        "overhead": money_text(result.overhead),
        "fundable": result.fundable,
        "shortfall": money_text(result.shortfall),
        "shares": [{"key": key, "amount": money_text(amount)} for key, amount in result.shares],
        "curve": [
            {"participants": p.participants, "share": money_text(p.share)} for p in result.curve
        ],
    }
