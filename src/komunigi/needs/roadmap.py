"""The public roadmap: the latest round's order first, then the other needs by interest."""

from dataclasses import dataclass

from django.db.models import Prefetch

from komunigi.community.models import Organisation, OrganisationKind, OrganisationStatus
from komunigi.needs.models import Interest, Need, PriorityRound, Quote
from komunigi.needs.rounds import latest_closed_round


@dataclass(frozen=True)
class RoadmapItem:
    need: Need
    place: int | None  # the group's place in the latest round's order (1 = first); None: not ranked
    tied: bool
    interested: list[Organisation]
    best_quote: Quote | None


def roadmap() -> tuple[PriorityRound | None, list[RoadmapItem]]:
    """The roadmap in four queries, whatever the number of needs."""
    latest = latest_closed_round()
    places: dict[int, tuple[int, bool]] = {}
    if latest is not None and latest.result:
        for place, group in enumerate(latest.result["order"], start=1):
            for need_id in group:
                places[need_id] = (place, len(group) > 1)
    needs = (
        Need.objects.active()
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "interests",
                queryset=Interest.objects.filter(
                    organisation__kind=OrganisationKind.SUPERMARKET,
                    organisation__status=OrganisationStatus.MEMBER,
                ).select_related("organisation"),
            ),
            Prefetch(
                "quotes",
                queryset=Quote.objects.valid().select_related("provider"),
                to_attr="valid_quotes",
            ),
        )
    )
    items = [
        RoadmapItem(
            need=need,
            place=places.get(need.pk, (None, False))[0],
            tied=places.get(need.pk, (None, False))[1],
            interested=[interest.organisation for interest in need.interests.all()],
            # valid_quotes is the Prefetch's to_attr above, unknown to the stubs.
            best_quote=min(need.valid_quotes, key=lambda q: (q.net_amount, q.pk), default=None),  # type: ignore[attr-defined]
        )
        for need in needs
    ]
    items.sort(
        key=lambda item: (
            (0, item.place, item.need.title.lower())
            if item.place is not None
            else (1, -len(item.interested), -item.need.created_at.timestamp())
        )
    )
    return latest, items
