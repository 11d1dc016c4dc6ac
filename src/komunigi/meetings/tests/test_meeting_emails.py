"""Meeting e-mails, received by a real SMTP server: who gets them, in which language, and the
calendar invitation they carry."""

import datetime
import re
from decimal import Decimal
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone, translation

from komunigi.community.models import OrganisationKind, OrganisationStatus, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.meetings import attendance, decisions, emails, services
from komunigi.meetings.models import ItemKind, Meeting, MeetingKind
from komunigi.needs import services as needs_services
from komunigi.needs.tests.factories import QuoteFactory
from komunigi.notifications.events import DECISION_OUTCOME, MINUTES_PUBLISHED, Mode
from komunigi.notifications.models import DigestItem
from komunigi.notifications.services import update_preferences
from komunigi.testing import SmtpServer

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
ENGLISH_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]  # fmt: skip
FRENCH_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def english_day(day: datetime.date) -> str:
    return f"{ENGLISH_DAYS[day.weekday()]}, {day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=BRUSSELS)


def today() -> datetime.date:
    return timezone.now().astimezone(BRUSSELS).date()


def plan(facilitator: User, **extra: object) -> Meeting:
    fields = {
        "kind": MeetingKind.USERS,
        "title": "December users' meeting",
        "starts_at": at(today() + datetime.timedelta(days=10), 19),
        "duration": 90,
        "time_zone": "Europe/Brussels",
        "place": "BEES coop, Rue Van Hammée 19, Schaerbeek",
        "video_url": "https://meet.example/users",
        "visibility": "members",
        "quorum": Decimal("0.50"),
        "online_voting": False,
        "reminder_days": 2,
    }
    return services.create_meeting(actor=facilitator, **{**fields, **extra})


@pytest.fixture
def community() -> dict[str, User]:
    """Who is who around two member supermarkets, a provider and a former member."""
    bees = OrganisationFactory(name="BEES coop")
    bloum = OrganisationFactory(name="Bloum")
    provider = OrganisationFactory(name="Coop IT Easy", kind=OrganisationKind.PROVIDER)
    former = OrganisationFactory(name="Gone coop", status=OrganisationStatus.FORMER)
    applicant = OrganisationFactory(name="New coop", status=OrganisationStatus.APPLICANT)

    def person(email: str, organisation: object, role: str, **fields: object) -> User:
        user = UserFactory(email=email, full_name=email.split("@")[0].capitalize(), **fields)
        MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    return {
        "bees_rep": person("rita@bees.example", bees, Role.REPRESENTATIVE, language="fr"),
        "bees_sub": person(
            "sam@bees.example",
            bees,
            Role.SUBSTITUTE,
            language="en",
            time_zone="America/Montreal",
        ),
        "bees_member": person("mia@bees.example", bees, Role.MEMBER),
        "bloum_rep": person("bart@bloum.example", bloum, Role.REPRESENTATIVE, language="nl"),
        "provider_rep": person("paul@provider.example", provider, Role.REPRESENTATIVE),
        "former_rep": person("fred@gone.example", former, Role.REPRESENTATIVE),
        "applicant_rep": person("ada@new.example", applicant, Role.REPRESENTATIVE),
    }


def by_recipient(server: SmtpServer) -> dict[str, EmailMessage]:
    received = {message["To"]: message for message in server.messages}
    assert len(received) == len(server.messages), "someone received two e-mails"
    return received


def subject(message: EmailMessage) -> str:
    """The subject as a mail client shows it: Django folds a long encoded subject right after
    the colon, and the parser keeps that folding white space (RFC 5322 §2.2.3)."""
    return str(message["Subject"]).strip()


def text(message: EmailMessage) -> list[str]:
    return message.get_body(preferencelist=("plain",)).get_content().splitlines()


def lines_after(message: EmailMessage, start: str) -> list[str]:
    """What follows ``start`` on the lines of the text body that begin with it."""
    return [line.removeprefix(start) for line in text(message) if line.startswith(start)]


def html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def calendar_part(message: EmailMessage) -> tuple[EmailMessage, icalendar.Calendar]:
    """The invite.ics attachment, checked to be the same as the calendar alternative body."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    [attachment] = [p for p in parts if p.get_filename() == "invite.ics"]
    [alternative] = [p for p in parts if p.get_filename() is None]
    assert alternative.get_param("method") == attachment.get_param("method")
    assert alternative.get_content() == attachment.get_content()
    return attachment, icalendar.Calendar.from_ical(attachment.get_content())


def test_invitations_reach_the_representatives_and_substitutes_of_member_supermarkets(
    smtp_server: SmtpServer,
    facilitator: User,
    community: dict[str, User],
    django_capture_on_commit_callbacks,
) -> None:
    meeting = plan(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_invitations(meeting, actor=facilitator) == 3

    received = by_recipient(smtp_server)
    assert sorted(received) == ["bart@bloum.example", "rita@bees.example", "sam@bees.example"]
    languages = {to: message["Content-Language"] for to, message in received.items()}
    assert languages == {
        "bart@bloum.example": "nl",
        "rita@bees.example": "fr",
        "sam@bees.example": "en",
    }
    for message in received.values():
        part, cal = calendar_part(message)
        assert part.get_filename() == "invite.ics"
        assert part.get_param("method") == "REQUEST"
        assert part.get_content_charset() == "utf-8"
        assert cal["METHOD"] == "REQUEST"
        [event] = cal.events
        assert event["UID"] == f"{meeting.uid}@komunigi"
        assert event.attendees == [f"mailto:{message['To']}"]


def test_invitation_is_written_in_the_invitees_language_and_time_zone(
    smtp_server: SmtpServer,
    facilitator: User,
    community: dict[str, User],
    django_capture_on_commit_callbacks,
) -> None:
    # A fixed day: Montreal is six hours behind Brussels then (five for a few weeks a year).
    meeting = plan(facilitator, starts_at=at(datetime.date(2030, 12, 5), 19))
    services.add_item(meeting, actor=facilitator, kind=ItemKind.INFORMATION, title="News")
    services.add_item(meeting, actor=facilitator, kind=ItemKind.DISCUSSION, title="Odoo 17")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitations(meeting, actor=facilitator)

    received = by_recipient(smtp_server)
    french, english = received["rita@bees.example"], received["sam@bees.example"]
    # Django's own catalogues name the days and months, and French clocks count to 24: the
    # date and hours read French whatever the state of our catalogue.
    french_text = "\n".join(text(french))
    assert re.findall(r"\b(?:" + "|".join(FRENCH_DAYS) + r")\b", french_text) == ["jeudi"]
    assert re.findall(r"\b\d{1,2} \w+ \d{4}\b", french_text) == ["5 décembre 2030"]
    # Brussels is Rita's time zone too: the hours are given once.
    assert re.findall(r"\b\d{1,2}:\d{2}\b", french_text) == ["19:00", "20:30"]
    assert lines_after(french, "http://") == [f"127.0.0.1:8000/meetings/{meeting.pk}/"]
    assert '<html lang="fr">' in html(french)

    assert english["Subject"] == "Invitation: December users' meeting, Thursday, 5 December 2030"
    assert lines_after(english, "When: ") == [
        "Thursday, 5 December 2030, 19:00 to 20:30 (Europe/Brussels time)"
    ]
    assert lines_after(english, "On your clock: ") == [
        "Thursday, 5 December 2030, 13:00 to 14:30 (America/Montreal time)"
    ]
    assert lines_after(english, "Where: ") == ["BEES coop, Rue Van Hammée 19, Schaerbeek"]
    assert lines_after(english, "Video link: ") == ["https://meet.example/users"]
    lines = text(english)
    assert lines[lines.index("Agenda so far:") + 1 :][:3] == [
        "1. News (Information)",
        "2. Odoo 17 (Discussion)",
        "",
    ]
    assert lines_after(english, "http://") == [f"127.0.0.1:8000/en/meetings/{meeting.pk}/"]
    assert lines_after(english, "On that page, ") == [
        "answer for BEES coop: you will attend, you will not attend, or you give its proxy to"
        " another member supermarket’s representative."
    ]
    assert f'<a href="http://127.0.0.1:8000/en/meetings/{meeting.pk}/"' in html(english)


def test_core_meeting_invites_the_active_facilitators_only(
    smtp_server: SmtpServer,
    facilitator: User,
    community: dict[str, User],
    django_capture_on_commit_callbacks,
) -> None:
    UserFactory(email="felix@example.org", is_facilitator=True, language="de")
    UserFactory(email="gone@example.org", is_facilitator=True, is_active=False)
    meeting = plan(
        facilitator,
        kind=MeetingKind.CORE,
        title="Core group",
        place="",
        video_url="https://meet.example/core",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitations(meeting, actor=facilitator)

    received = by_recipient(smtp_server)
    assert sorted(received) == ["facilitator@example.org", "felix@example.org"]
    assert received["felix@example.org"]["Content-Language"] == "de"
    message = received["facilitator@example.org"]
    # Fanny reads French; she has no supermarket to answer for.
    assert lines_after(message, "Sur cette page, ") == ["dites-nous si vous viendrez."]
    assert calendar_part(message)[1]["METHOD"] == "REQUEST"


def test_reminder_arrives_once_when_due_with_the_meeting_for_calendars(
    smtp_server: SmtpServer,
    facilitator: User,
    community: dict[str, User],
    django_capture_on_commit_callbacks,
) -> None:
    meeting = plan(facilitator, starts_at=at(today() + datetime.timedelta(days=1), 19))
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitations(meeting, actor=facilitator)
    smtp_server.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminder(meeting) is True
        assert services.send_reminder(meeting) is False

    received = by_recipient(smtp_server)
    assert sorted(received) == ["bart@bloum.example", "rita@bees.example", "sam@bees.example"]
    english = received["sam@bees.example"]
    assert english["Subject"] == "Reminder: December users' meeting, tomorrow"
    assert text(english)[2] == "“December users' meeting” takes place tomorrow."
    part, cal = calendar_part(english)
    assert (part.get_param("method"), cal["METHOD"]) == ("REQUEST", "REQUEST")
    assert cal.events[0]["SEQUENCE"] == 0


def test_reminder_is_not_sent_before_it_is_due(
    smtp_server: SmtpServer,
    facilitator: User,
    community: dict[str, User],
    django_capture_on_commit_callbacks,
) -> None:
    meeting = plan(facilitator)  # in ten days: the reminder goes two days before
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitations(meeting, actor=facilitator)
        assert services.send_reminder(meeting) is False
    assert len(smtp_server.messages) == 3


def test_update_after_a_change_carries_the_new_time_and_a_higher_sequence(
    smtp_server: SmtpServer,
    facilitator: User,
    community: dict[str, User],
    django_capture_on_commit_callbacks,
) -> None:
    meeting = plan(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitations(meeting, actor=facilitator)
    smtp_server.messages.clear()

    new_start = meeting.starts_at + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(meeting, actor=facilitator, starts_at=new_start, place="Bloum")

    english = by_recipient(smtp_server)["sam@bees.example"]
    assert (
        english["Subject"] == f"Changed: December users' meeting, {english_day(new_start.date())}"
    )
    assert (
        text(english)[2]
        == "“December users' meeting” has changed: see the new date and place below."
    )
    assert lines_after(english, "Where: ") == ["Bloum"]
    part, cal = calendar_part(english)
    assert (part.get_param("method"), cal["METHOD"]) == ("REQUEST", "REQUEST")
    assert cal.events[0]["SEQUENCE"] == 1
    assert cal.events[0].start == new_start


def test_cancellation_arrives_as_an_icalendar_cancel(
    smtp_server: SmtpServer,
    facilitator: User,
    community: dict[str, User],
    django_capture_on_commit_callbacks,
) -> None:
    meeting = plan(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitations(meeting, actor=facilitator)
    smtp_server.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(meeting, actor=facilitator)

    received = by_recipient(smtp_server)
    assert sorted(received) == ["bart@bloum.example", "rita@bees.example", "sam@bees.example"]
    english = received["sam@bees.example"]
    day = english_day(meeting.starts_at.astimezone(BRUSSELS).date())
    assert english["Subject"] == f"Cancelled: December users' meeting, {day}"
    for message in received.values():
        part, cal = calendar_part(message)
        assert (part.get_param("method"), cal["METHOD"]) == ("CANCEL", "CANCEL")
        [event] = cal.events
        assert (event["STATUS"], event["SEQUENCE"]) == ("CANCELLED", 1)


def test_in_days_counts_calendar_days_on_the_meetings_clock(facilitator: User) -> None:
    meeting = plan(facilitator, starts_at=datetime.datetime(2026, 12, 3, 0, 30, tzinfo=BRUSSELS))
    late_evening = datetime.datetime(2026, 12, 2, 23, 0, tzinfo=BRUSSELS)
    with translation.override("en"):
        assert emails.in_days(meeting, now=late_evening) == "tomorrow"
        assert emails.in_days(meeting, now=late_evening.replace(day=3, hour=0)) == "today"
        assert emails.in_days(meeting, now=late_evening.replace(day=1, hour=1)) == "in 2 days"


def test_a_decisions_outcome_and_the_minutes_reach_who_asked_for_them(
    smtp_server: SmtpServer,
    facilitator: User,
    community: dict[str, User],
    django_capture_on_commit_callbacks,
) -> None:
    """The outcome goes to the invitees and the need's followers, the minutes to the invitees;
    each at once to those who asked for it, and to the digest of the others."""
    rita, sam, bart = community["bees_rep"], community["bees_sub"], community["bloum_rep"]
    need = QuoteFactory(need__title="Stock by aisle").need
    olga = UserFactory(email="olga@example.org", full_name="Olga", language="en")
    needs_services.follow_need(need, user=olga)
    meeting = plan(facilitator)
    item = services.add_item(
        meeting, actor=facilitator, kind=ItemKind.NEED_DECISION, title="", need=need
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitations(meeting, actor=facilitator)
    smtp_server.messages.clear()
    # Bart keeps the defaults (both kinds wait for his digest); who is not invited, not even
    # a member of an invited supermarket, gets neither whatever they chose.
    for person in (rita, sam, olga, community["bees_member"], community["provider_rep"]):
        update_preferences(
            person,
            modes={e.kind: Mode.IMMEDIATE for e in (MINUTES_PUBLISHED, DECISION_OUTCOME)},
            digest_hour=7,
            paused=False,
        )

    services.start_meeting(meeting, actor=facilitator)
    decisions.open_decision(item.decision, actor=facilitator)
    for person in (rita, bart):
        supermarket = person.memberships.get().organisation
        attendance.record_attendance(meeting, supermarket, actor=facilitator, person=person)
        decisions.cast_ballot(item.decision, supermarket, actor=person, choice="yes")
    with django_capture_on_commit_callbacks(execute=True):
        decisions.close_decision(item.decision, actor=facilitator)

    outcome = by_recipient(smtp_server)
    assert sorted(outcome) == ["olga@example.org", "rita@bees.example", "sam@bees.example"]
    decided = "Decided at “December users' meeting”: Stock by aisle — Approved"
    assert subject(outcome["sam@bees.example"]) == decided
    assert subject(outcome["olga@example.org"]) == decided
    assert outcome["rita@bees.example"]["Content-Language"] == "fr"
    anchor = f"127.0.0.1:8000/en/meetings/{meeting.pk}/#decision-{item.decision.pk}"
    assert lines_after(outcome["olga@example.org"], "http://") == [anchor]
    assert DigestItem.objects.filter(user=bart, kind=DECISION_OUTCOME.kind).count() == 1

    smtp_server.messages.clear()
    services.close_meeting(meeting, actor=facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_minutes(meeting, actor=facilitator)

    minutes = by_recipient(smtp_server)
    assert sorted(minutes) == ["rita@bees.example", "sam@bees.example"]
    english = minutes["sam@bees.example"]
    assert subject(english) == "The minutes of “December users' meeting” are published"
    assert lines_after(english, "http://") == [f"127.0.0.1:8000/en/meetings/{meeting.pk}/minutes/"]
    assert DigestItem.objects.filter(user=bart, kind=MINUTES_PUBLISHED.kind).count() == 1
    for message in [*outcome.values(), *minutes.values()]:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Auto-Submitted"] == "auto-generated"
