"""Komunigi's benchmark: each page's time against the framework's own floor, at scale.

The floor is a view that does nothing, served through the same middleware, on the same machine,
in the same process: the ratio page / floor is what our code costs, whatever the machine.
Data is the demo community multiplied (``scale=100`` is 100× a real community).
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import path

from komunigi import urls as project_urls
from komunigi.community.demo import ORGANISATIONS, load_demo_community
from komunigi.community.models import (
    JoinRequest,
    Membership,
    Organisation,
    OrganisationStatus,
    Role,
    User,
)
from komunigi.funding.demo import load_demo_funding
from komunigi.funding.models import Campaign, CampaignStatus
from komunigi.meetings.demo import load_demo_meetings
from komunigi.meetings.models import Meeting, MeetingStatus
from komunigi.needs.demo import load_demo_needs


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


# The project's URLs plus the floor, so both go through exactly the same stack.
urlpatterns = [path("__floor__", floor), *project_urls.urlpatterns]


@dataclass(frozen=True)
class Measure:
    name: str
    url: str
    median_ms: float
    p95_ms: float
    queries: int

    def ratio(self, floor_ms: float) -> float:
        return self.median_ms / floor_ms


def populate(scale: int) -> None:
    """The demo (community, needs, meetings, money), plus ``scale - 1`` copies of its
    organisations with their people."""
    load_demo_community()
    load_demo_needs()
    load_demo_meetings()
    load_demo_funding()
    copies = range(1, scale)
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"{demo.name} {n}",
                slug=f"{demo.slug}-{n}",
                kind=demo.kind,
                status=OrganisationStatus.MEMBER,
                country=demo.country,
                city=demo.city,
                languages=list(demo.languages),
                description=demo.description,
                member_households=demo.member_households,
            )
            for n in copies
            for demo in ORGANISATIONS
        )
        users = User.objects.bulk_create(
            User(email=f"person{n}-{o.slug}@bench.example", full_name=f"Person {n} {o.name}")
            for o in organisations
            for n in range(2)
        )
        Membership.objects.bulk_create(
            Membership(
                user=user,
                organisation=organisations[i // 2],
                role=Role.REPRESENTATIVE if i % 2 == 0 else Role.MEMBER,
            )
            for i, user in enumerate(users)
        )
        JoinRequest.objects.bulk_create(
            JoinRequest(
                organisation_name=f"Future coop {n}",
                kind="supermarket",
                country="FR",
                contact_name=f"Contact {n}",
                contact_email=f"contact{n}@bench.example",
                consent=True,
                language="fr",
            )
            for n in range(scale * 5)
        )


def measure(client: Client, name: str, url: str, repeat: int) -> Measure:
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise AssertionError(f"{url} answered {response.status_code}")
        queries = len(captured)
    timings.sort()
    return Measure(
        name,
        url,
        statistics.median(timings),
        timings[min(len(timings) - 1, int(len(timings) * 0.95))],
        queries,
    )


PAGES = [
    ("home", "/"),
    ("ecosystem", "/ecosystem/"),
    ("organisation", "/ecosystem/bees-coop/"),
    ("join form", "/join/"),
    ("API organisations (100)", "/api/v1/organisations"),
    ("API organisation", "/api/v1/organisations/bees-coop"),
    ("dashboard (facilitator)", "/dashboard/"),
    ("join requests (facilitator)", "/facilitation/join-requests/"),
    ("health", "/healthz"),
    ("needs", "/needs/"),
    ("roadmap", "/roadmap/"),
    ("meetings", "/meetings/"),
    ("co-financing", "/co-financing/"),
    ("split simulator", "/co-financing/simulator/"),
    ("budget", "/co-financing/budget/"),
    ("co-financing history", "/co-financing/history/"),
    ("statement (BEES coop)", "/co-financing/statements/bees-coop/"),
    ("sponsorships (facilitator)", "/co-financing/sponsorships/"),
    ("fees (facilitator)", "/co-financing/fees/?year=2022"),
    ("calendar", "/meetings/calendar/"),
]


def pages() -> list[tuple[str, str]]:
    """The pages above, and those whose address comes from the data: the campaign collecting
    pledges (its live split too) and a past meeting."""
    found = list(PAGES)
    campaign = Campaign.objects.filter(status=CampaignStatus.COLLECTING).first()
    if campaign is not None:
        found.append(("campaign collecting", campaign.get_absolute_url()))
        found.append(("campaign live split", campaign.get_absolute_url() + "split/"))
    meeting = Meeting.objects.filter(status=MeetingStatus.CLOSED).order_by("-starts_at").first()
    if meeting is not None:
        found.append(("meeting (past)", meeting.get_absolute_url()))
    return found


def run(*, repeat: int, report: Callable[[str], None]) -> list[Measure]:
    """Measure the floor and every page; the data must already be there."""
    client = Client()
    client.force_login(User.objects.get(email="facilitation@komunigi.example"))
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        client.get("/")  # warm caches (templates, translations) before timing
        floor_measure = measure(client, "floor (empty view)", "/__floor__", repeat)
        results = [floor_measure]
        for name, url in pages():
            results.append(measure(client, name, url, repeat))
    report(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'× floor':>8} {'queries':>8}")
    for result in results:
        report(
            f"{result.name:32} {result.median_ms:10.2f} {result.p95_ms:8.2f} "
            f"{result.ratio(floor_measure.median_ms):8.1f} {result.queries:8d}"
        )
    return results
