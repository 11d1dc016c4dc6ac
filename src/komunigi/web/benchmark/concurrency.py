"""Writes under concurrency, over HTTP: `komunigi serve` with two workers on PostgreSQL, and
16 clients, each a supermarket's representative, casting ballots (through the API, with a
personal token) and pledging (through the page's form, with a session and its CSRF token)
as fast as they can. Then the database is checked: nothing lost, duplicated or inconsistent.

Run by `komunigi benchmark --http` on a scratch database (DATABASE_URL must name PostgreSQL:
two processes writing to SQLite at once would measure SQLite's single writer lock)."""

import datetime
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone

from komunigi.audit.models import AuditEvent
from komunigi.community.models import Membership, Organisation, OrganisationKind, Role, User
from komunigi.community.services import create_api_token
from komunigi.funding.models import Campaign, CampaignStatus, Pledge
from komunigi.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionBallot,
    DecisionStatus,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
)

CLIENTS = 16
WRITES_PER_CLIENT = 40  # half ballots, half pledges
GOAL = 200  # writes per second
CHOICES = ("yes", "no", "abstain")


@dataclass
class Client:
    supermarket: Organisation
    token: str  # a personal API token of its representative
    session: str  # a session of its representative
    csrf: str
    last_choice: str = ""
    last_cap: Decimal | None = None
    ballots: int = 0
    pledges: int = 0
    failures: int = 0


@dataclass(frozen=True)
class Result:
    writes: int
    seconds: float
    failures: int
    problems: list[str]

    @property
    def per_second(self) -> float:
        return self.writes / self.seconds if self.seconds else 0.0


def run(*, report: Callable[[str], None], port: int = 8765) -> Result:
    """Serve the scratch database, drive the writes, check the database."""
    if connection.vendor != "postgresql":
        raise RuntimeError("--http needs DATABASE_URL to name a PostgreSQL database")
    decision, campaign = _stage()
    clients = _clients(CLIENTS)
    server = _serve(port)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base)
        report(f"{CLIENTS} clients, {WRITES_PER_CLIENT} writes each, 2 workers")
        start = time.perf_counter()
        threads = [
            threading.Thread(target=_work, args=(base, client, decision, campaign))
            for client in clients
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    writes = sum(c.ballots + c.pledges for c in clients)
    result = Result(
        writes, seconds, sum(c.failures for c in clients), _check(clients, decision, campaign)
    )
    report(
        f"{result.writes} writes in {result.seconds:.1f} s: {result.per_second:.0f} writes/s "
        f"(goal {GOAL}), {result.failures} refused"
    )
    for problem in result.problems:
        report(f"  inconsistent: {problem}")
    return result


def _stage() -> tuple[Decision, Campaign]:
    """A meeting in session with every supermarket present and a decision open; a campaign
    collecting pledges."""
    supermarkets = list(Organisation.objects.member_supermarkets())
    meeting = Meeting.objects.create(
        kind=MeetingKind.USERS,
        title="Benchmark meeting",
        starts_at=timezone.now(),
        place="HTTP",
        status=MeetingStatus.IN_SESSION,
        quorum_base=len(supermarkets),
    )
    voices = dict(
        Membership.objects.filter(role=Role.REPRESENTATIVE).values_list(
            "organisation_id", "user_id"
        )
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, organisation=s, person_id=voices.get(s.pk))
        for s in supermarkets
    )
    item = AgendaItem.objects.create(
        meeting=meeting, position=1, kind=ItemKind.DECISION, title="Benchmark decision"
    )
    decision = Decision.objects.create(item=item, status=DecisionStatus.OPEN)
    campaign = Campaign.objects.filter(status=CampaignStatus.COLLECTING).order_by("-pk").first()
    if campaign is None:
        raise RuntimeError("the benchmark's data has a campaign collecting pledges")
    Campaign.objects.filter(pk=campaign.pk).update(
        deadline=timezone.now() + datetime.timedelta(days=1)
    )
    return decision, campaign


def _clients(count: int) -> list[Client]:
    clients = []
    for membership in (
        Membership.objects.filter(
            role=Role.REPRESENTATIVE, organisation__kind=OrganisationKind.SUPERMARKET
        )
        .select_related("user", "organisation")
        .order_by("pk")[:count]
    ):
        user: User = membership.user
        _token, raw = create_api_token(user, name="benchmark")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        clients.append(
            Client(membership.organisation, raw, session.session_key or "", secrets.token_hex(16))
        )
    return clients


def _serve(port: int) -> subprocess.Popen[bytes]:
    """`komunigi serve` with two workers, on this scratch database, with production settings
    (but plain HTTP on localhost), its access log left out."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "KOMUNIGI_ENV": "production",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here must hold there
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "KOMUNIGI_TASKS": "immediate",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
    }
    return subprocess.Popen(  # noqa: S603 - our own command, arguments of ours
        [sys.executable, "-m", "komunigi", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--", "--access-logfile", "/dev/null"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_for(base: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 - localhost
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("komunigi serve did not answer")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a pledge answers with a redirect: its status is all we read


def _work(base: str, client: Client, decision: Decision, campaign: Campaign) -> None:
    opener = urllib.request.build_opener(_NoRedirect)
    for number in range(WRITES_PER_CLIENT):
        if number % 2 == 0:
            choice = CHOICES[(number // 2) % len(CHOICES)]
            ok = _post(
                opener,
                f"{base}/api/v1/decisions/{decision.pk}/ballot",
                json.dumps({"choice": choice}).encode(),
                {"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"},
                expect=200,
            )
            if ok:
                client.ballots, client.last_choice = client.ballots + 1, choice
            else:
                client.failures += 1
        else:
            cap = Decimal(100 + number)
            body = urllib.parse.urlencode(
                {"supermarket": client.supermarket.pk, "cap": str(cap), "action": "pledge"}
            ).encode()
            ok = _post(
                opener,
                f"{base}/en/co-financing/{campaign.pk}/pledge/",
                body,
                {
                    "Cookie": f"sessionid={client.session}; csrftoken={client.csrf}",
                    "X-CSRFToken": client.csrf,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                expect=302,
            )
            if ok:
                client.pledges, client.last_cap = client.pledges + 1, cap
            else:
                client.failures += 1


def _post(opener: Any, url: str, body: bytes, headers: dict[str, str], *, expect: int) -> bool:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with opener.open(request, timeout=30) as response:
            return response.status == expect
    except urllib.error.HTTPError as answer:
        return answer.code == expect
    except OSError:
        return False


def _check(clients: list[Client], decision: Decision, campaign: Campaign) -> list[str]:
    """What the database must say after the writes: one ballot and one pledge per client,
    each the last one sent, and one audit event per write."""
    problems = []
    ballots = {b.organisation_id: b for b in DecisionBallot.objects.filter(decision=decision)}
    pledges = {p.organisation_id: p for p in Pledge.objects.filter(campaign=campaign)}
    for client in clients:
        ballot = ballots.get(client.supermarket.pk)
        if client.ballots and (ballot is None or ballot.choice != client.last_choice):
            problems.append(f"{client.supermarket.name}'s ballot is not its last one")
        found = pledges.get(client.supermarket.pk)
        if client.pledges and (found is None or found.cap != client.last_cap):
            problems.append(f"{client.supermarket.name}'s pledge is not its last one")
    if len(ballots) != sum(1 for c in clients if c.ballots):
        problems.append(f"{len(ballots)} ballots for {len(clients)} supermarkets")
    voted = AuditEvent.objects.filter(action__startswith="meetings.ballot.").count()
    if voted != sum(c.ballots for c in clients):
        problems.append(f"{voted} ballots audited for {sum(c.ballots for c in clients)} cast")
    pledged = AuditEvent.objects.filter(
        action__in=["funding.campaign.pledged", "funding.campaign.pledge_changed"],
        target_id=str(campaign.pk),
    ).count()
    if pledged != sum(c.pledges for c in clients):
        problems.append(f"{pledged} pledges audited for {sum(c.pledges for c in clients)} made")
    version = Campaign.objects.get(pk=campaign.pk).pledges_version
    if version - campaign.pledges_version != sum(c.pledges for c in clients):
        problems.append("the campaign's pledges version does not count every pledge")
    return problems
