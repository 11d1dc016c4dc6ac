"""Demo meetings: the users' meetings that approved the deck's co-financings (attendance,
votes, minutes), a core group meeting, the next users' meeting with its agenda and its
invitations sent, and a public information session.

Idempotent: a meeting that exists (by title) is left as it is.
"""

import datetime
import zoneinfo
from decimal import Decimal

from babel.dates import format_date
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from komunigi.community.demo import FACILITATOR
from komunigi.community.models import Organisation, OrganisationKind, Role, User
from komunigi.meetings import minutes, services
from komunigi.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionBallot,
    DecisionStatus,
    Invitation,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    Reply,
    Visibility,
)
from komunigi.meetings.tally import YES, Ballot, tally
from komunigi.needs import lifecycle
from komunigi.needs import services as needs_services
from komunigi.needs.models import Need

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")

# (title, date, the need decided, the supermarkets present, those voting no)
PAST_DECISIONS = [
    (
        "Rencontre des utilisateurs — septembre 2021",
        datetime.datetime(2021, 9, 14, 19, 0, tzinfo=BRUSSELS),
        "Migration d'Odoo 9 à Odoo 12",
        ["bees-coop", "bloum", "babl-market", "coopeco", "oufticoop", "vervicoop", "le-nid"],
        [],
    ),
    (
        "Rencontre des utilisateurs — mars 2022",
        datetime.datetime(2022, 3, 15, 19, 0, tzinfo=BRUSSELS),
        "Améliorer les e-mails de rappel avant les shifts",
        ["bees-coop", "bloum", "coopeco", "vervicoop", "la-feve", "foodhub-munchen"],
        ["foodhub-munchen"],
    ),
    (
        "Rencontre des utilisateurs — mai 2022",
        datetime.datetime(2022, 5, 17, 19, 0, tzinfo=BRUSSELS),
        "Formulaire de prise de part : case à cocher et texte configurables",
        ["bees-coop", "oufticoop", "bloum", "coopeco", "demain", "babl-market"],
        [],
    ),
    # Last month: approved, and now being co-financed (see komunigi.funding.demo).
    (
        "Rencontre des utilisateurs — octobre 2026",
        datetime.datetime(2026, 10, 13, 19, 0, tzinfo=BRUSSELS),
        "Générer les étiquettes d'articles dans Odoo",
        ["bees-coop", "coopeco", "vervicoop", "le-nid", "bloum", "babl-market"],
        ["babl-market"],
    ),
]
CORE_MEETING = (
    "Rencontre du noyau — fonctionnement de la communauté",
    datetime.datetime(2022, 2, 8, 12, 30, tzinfo=BRUSSELS),
)
INFO_SESSION = "Séance d'information : rejoindre la communauté"


def next_meeting_start(today: datetime.date | None = None) -> datetime.datetime:
    """The next users' meeting: the second Tuesday of next month, 19:00 in Brussels, so the
    demo always has a meeting ahead (at least a week ahead) whenever it is run."""
    today = today or timezone.localdate()
    first = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    first_tuesday = first + datetime.timedelta(days=(1 - first.weekday()) % 7)
    day = first_tuesday + datetime.timedelta(days=7)
    return datetime.datetime.combine(day, datetime.time(19, 0), tzinfo=BRUSSELS)


def next_meeting_title(today: datetime.date | None = None) -> str:
    month = format_date(next_meeting_start(today), "MMMM y", locale="fr")
    return f"Rencontre des utilisateurs — {month}"


def load_demo_meetings() -> None:
    facilitator = User.objects.get(email=FACILITATOR[1])
    organisations = {o.slug: o for o in Organisation.objects.all()}
    with transaction.atomic():
        for title, starts_at, need_title, present, against in PAST_DECISIONS:
            if not Meeting.objects.filter(title=title).exists():
                _past_meeting(
                    facilitator, title, starts_at, need_title, present, against, organisations
                )
        if not Meeting.objects.filter(title=CORE_MEETING[0]).exists():
            _core_meeting(facilitator, organisations)
        if not Meeting.objects.filter(title=next_meeting_title()).exists():
            _next_meeting(facilitator)
        if not Meeting.objects.filter(title=INFO_SESSION).exists():
            _info_session(facilitator)


def _meeting(
    facilitator: User, title: str, starts_at: datetime.datetime, **extra: object
) -> Meeting:
    fields = {
        "kind": MeetingKind.USERS,
        "title": title,
        "starts_at": starts_at,
        "duration": 90,
        "time_zone": "Europe/Brussels",
        "place": "En ligne (Jitsi)",
        "video_url": "https://meet.jit.si/komunigi-rencontre",
        "visibility": Visibility.MEMBERS,
        "quorum": Decimal("0.50"),
        "online_voting": False,
        "reminder_days": 2,
    }
    return services.create_meeting(actor=facilitator, **{**fields, **extra})


def _past_meeting(
    facilitator: User,
    title: str,
    starts_at: datetime.datetime,
    need_title: str,
    present: list[str],
    against: list[str],
    organisations: dict[str, Organisation],
) -> None:
    """A meeting as it happened, written directly: its need was decided, funded and built
    long ago, so the lifecycle moves of today must not run again."""
    meeting = _meeting(facilitator, title, starts_at)
    _held(meeting, [organisations[slug] for slug in present])
    Attendance.objects.create(
        meeting=meeting,
        organisation=organisations["coop-it-easy"],
        person=organisations["coop-it-easy"].memberships.get(role=Role.REPRESENTATIVE).user,
    )
    AgendaItem.objects.create(
        meeting=meeting,
        position=1,
        kind=ItemKind.INFORMATION,
        title="Approbation du compte rendu précédent",
    )
    need = Need.objects.get(title=need_title)
    item = AgendaItem.objects.create(
        meeting=meeting, position=2, kind=ItemKind.NEED_DECISION, title=need.title, need=need
    )
    decision = Decision.objects.create(item=item)
    ballots = []
    for slug in present:
        choice = "no" if slug in against else YES
        organisation = organisations[slug]
        DecisionBallot.objects.create(
            decision=decision,
            organisation=organisation,
            choice=choice,
            cast_by=organisation.memberships.get(role=Role.REPRESENTATIVE).user,
        )
        ballots.append(Ballot(organisation.name, choice))
    outcome = tally(decision.rule, ballots, quorum=True)
    Decision.objects.filter(pk=decision.pk).update(
        status=DecisionStatus.CLOSED,
        outcome=outcome.result,
        counts=outcome.counts,
        represented=len(present),
        closed_at=meeting.ends_at,
    )
    meeting.refresh_from_db()
    meeting.minutes = minutes.draft(meeting)
    meeting.minutes_status = MinutesStatus.PUBLISHED
    meeting.status = MeetingStatus.CLOSED
    meeting.save(update_fields=["minutes", "minutes_status", "status"])
    if need.status == lifecycle.QUOTED:  # decided recently: its lifecycle follows
        for status in (lifecycle.SCHEDULED, lifecycle.APPROVED):
            needs_services.move_by_process(need, status, actor=facilitator)


def _held(meeting: Meeting, present: list[Organisation]) -> None:
    """A past meeting's invitations, answers and attendance, and its quorum base: the member
    supermarkets that had joined by then."""
    day = meeting.starts_at.date()
    meeting.quorum_base = (
        Organisation.objects.members()
        .filter(kind=OrganisationKind.SUPERMARKET)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day))
        .count()
    )
    meeting.invitations_sent_at = meeting.starts_at - datetime.timedelta(weeks=3)
    meeting.reminder_sent_at = meeting.starts_at - datetime.timedelta(days=meeting.reminder_days)
    meeting.save(update_fields=["quorum_base", "invitations_sent_at", "reminder_sent_at"])
    for organisation in present:
        representative = organisation.memberships.get(role=Role.REPRESENTATIVE).user
        Invitation.objects.create(
            meeting=meeting,
            user=representative,
            organisation=organisation,
            reply=Reply.ATTENDING,
            replied_at=meeting.starts_at - datetime.timedelta(days=5),
        )
        Attendance.objects.create(meeting=meeting, organisation=organisation, person=representative)


def _core_meeting(facilitator: User, organisations: dict[str, Organisation]) -> None:
    title, starts_at = CORE_MEETING
    meeting = _meeting(
        facilitator, title, starts_at, kind=MeetingKind.CORE, duration=60, place="Coop IT Easy"
    )
    _held(
        meeting, [organisations[slug] for slug in ("coop-it-easy", "bees-coop", "bloum", "coopeco")]
    )
    for position, text in enumerate(
        [
            "Proposition : une voix par supermarché, quorum de la moitié des membres",
            "Proposition : 5 % de frais de coordination sur les cofinancements",
            "Préparation de l'évènement des 13 et 14 mars",
        ],
        start=1,
    ):
        AgendaItem.objects.create(
            meeting=meeting, position=position, kind=ItemKind.DISCUSSION, title=text
        )
    meeting.minutes = minutes.draft(meeting)
    meeting.minutes_status = MinutesStatus.PUBLISHED
    meeting.status = MeetingStatus.CLOSED
    meeting.save(update_fields=["minutes", "minutes_status", "status"])


def _next_meeting(facilitator: User) -> None:
    """Planned, its agenda prepared from the roadmap and its invitations sent."""
    meeting = _meeting(facilitator, next_meeting_title(), next_meeting_start(), online_voting=True)
    services.add_item(
        meeting,
        actor=facilitator,
        kind=ItemKind.INFORMATION,
        title="Approbation du compte rendu précédent",
    )
    services.prepare_agenda(meeting, actor=facilitator, limit=1)
    services.add_item(
        meeting,
        actor=facilitator,
        kind=ItemKind.DISCUSSION,
        title="Tour de table : nouvelles des supermarchés",
    )
    services.send_invitations(meeting, actor=facilitator)


def _info_session(facilitator: User) -> None:
    """A public session for supermarkets thinking of joining: on the public calendar."""
    meeting = _meeting(
        facilitator,
        INFO_SESSION,
        next_meeting_start() + datetime.timedelta(days=9, hours=-6, minutes=-30),
        duration=60,
        place="",
        video_url="https://meet.jit.si/komunigi-bienvenue",
        visibility=Visibility.PUBLIC,
    )
    for text in (
        "Ce que les supermarchés mettent en commun, et comment ils décident",
        "Comment une coopérative devient membre",
        "Questions",
    ):
        services.add_item(meeting, actor=facilitator, kind=ItemKind.INFORMATION, title=text)
