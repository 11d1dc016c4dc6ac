"""The public roadmap: the latest round's order first, then the other needs by interest, a
page at a time."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, overload

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet

from komunigi.community.models import Organisation, OrganisationKind, OrganisationStatus
from komunigi.needs import lifecycle
from komunigi.needs.models import (
    MEMBER_SUPERMARKET_INTEREST,
    Interest,
    Need,
    PriorityRound,
    Quote,
)
from komunigi.needs.roadmap_version import CACHED_FOR, VERSION_KEY
from komunigi.needs.rounds import latest_closed_round

PER_PAGE = 30


@dataclass(frozen=True)
class RoadmapItem:
    need: Need
    place: int | None  # the group's place in the latest round's order (1 = first); None: not ranked
    tied: bool
    interested: list[Organisation]
    best_quote: Quote | None

    @property
    def before_campaign(self) -> bool:
        """No campaign has taken the need up yet, or the last one failed: what one would ask of
        each supermarket is still to be seen (a collecting campaign shows its own pledges)."""
        return self.need.status in lifecycle.BEFORE_FUNDED - {lifecycle.FUNDING}


class _Order:
    """The roadmap's order without loading it: the latest round's needs (a round's
    candidates, a few dozen) in its order, then every other active need by the number of
    member supermarkets that need it, newest first among equals, read from the database one
    slice at a time."""

    def __init__(self, places: dict[int, tuple[int, bool]]) -> None:
        active = Need.objects.active()
        ranked = list(active.filter(pk__in=places).only("pk", "title"))
        ranked.sort(key=lambda need: (places[need.pk][0], need.title.lower()))
        self.ranked = [need.pk for need in ranked]
        self.rest: QuerySet[Need, int] = (
            active.exclude(pk__in=places)
            .annotate(supermarkets=Count("interests", filter=MEMBER_SUPERMARKET_INTEREST))
            .order_by("-supermarkets", "-created_at", "-pk")
            .values_list("pk", flat=True)
        )
        self._rest_ids: list[int] | None = None

    def count(self) -> int:
        return len(self.ranked) + len(self.rest_ids())

    def rest_ids(self) -> list[int]:
        """Every other active need, in order: counting every need's interests is the one
        costly step, so its result is cached (the same for everybody) until interests,
        statuses or rounds change (`changed`), or for a minute at most."""
        if self._rest_ids is None:
            key = f"komunigi:roadmap:{cache.get(VERSION_KEY, 0)}:{','.join(map(str, self.ranked))}"
            found = cache.get(key)
            if found is None:
                found = list(self.rest)
                cache.set(key, found, timeout=CACHED_FOR)
            self._rest_ids = found
        return self._rest_ids

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        found = self.ranked[start:stop]
        rest_start = max(start - len(self.ranked), 0)
        rest_stop = stop - len(self.ranked)
        if rest_stop > rest_start:
            found += self.rest_ids()[rest_start:rest_stop]
        return found

    def __iter__(self) -> Iterator[int]:  # only for completeness: pages slice
        return iter(self[0 : self.count()])


def roadmap(page_number: Any = None, per_page: int = PER_PAGE) -> tuple[PriorityRound | None, Page]:
    """The latest closed round and a page of the roadmap (`RoadmapItem`s): a bounded number of
    queries and rows, whatever the number of needs."""
    latest = latest_closed_round()
    places: dict[int, tuple[int, bool]] = {}
    if latest is not None and latest.result:
        for place, group in enumerate(latest.result["order"], start=1):
            for need_id in group:
                places[need_id] = (place, len(group) > 1)
    page: Page[Any] = Paginator(_Order(places), per_page).get_page(page_number)
    ids = list(page.object_list)
    needs = Need.objects.select_related("organisation").prefetch_related(
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
    by_id = needs.in_bulk(ids)
    page.object_list = [
        RoadmapItem(
            need=need,
            place=places.get(need.pk, (None, False))[0],
            tied=places.get(need.pk, (None, False))[1],
            interested=[interest.organisation for interest in need.interests.all()],
            # valid_quotes is the Prefetch's to_attr above, unknown to the stubs.
            best_quote=min(need.valid_quotes, key=lambda q: (q.net_amount, q.pk), default=None),  # type: ignore[attr-defined]
        )
        for need in (by_id[pk] for pk in ids)
    ]
    return latest, page
