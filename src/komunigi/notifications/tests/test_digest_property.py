"""Whatever the events, the changes of mind, of digest hour and of pause, each event reaches a
person at most once, and exactly once when they wanted it at the time: at once, or in the one
digest e-mail of a day, sent at their hour, under its kind's heading."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from komunigi.community.tests.factories import UserFactory
from komunigi.notifications import events, services
from komunigi.notifications.events import Mode
from komunigi.notifications.models import Digest, DigestItem, OutboxMessage

# Every kind a person may have gathered in their digest (a facilitator has them all).
KINDS = events.choosable(facilitator=True)
BRUSSELS = ZoneInfo("Europe/Brussels")
# One template for every kind: what is under test is where each kind goes, and the subject
# names the event ("#1 E7 is now “open”"), in an e-mail and as a line of a digest.
TEMPLATE = "need-status"

# What the person chose before it all starts (a choice equal to the default keeps no row).
DEFAULTS = {event.kind: event.default for event in KINDS}
first_choices = st.fixed_dictionaries({e.kind: st.sampled_from(list(Mode)) for e in KINDS})
steps = st.lists(
    st.one_of(
        st.tuples(st.just("event"), st.sampled_from(KINDS)),
        st.tuples(st.just("choose"), st.sampled_from(KINDS), st.sampled_from(list(Mode))),
        st.tuples(st.just("pause"), st.booleans()),
        st.tuples(st.just("hour"), st.integers(min_value=0, max_value=23)),
        st.tuples(st.just("wait"), st.integers(min_value=1, max_value=12)),
    ),
    max_size=20,
)


def notice(person, event: events.Event, number: int) -> Mode:
    context = {
        "need": {"title": f"E{number}", "reference": "#1"},
        "status": "open",
        "url": "http://127.0.0.1:8000/needs/1/",
    }
    return services.notify(person, event, context, template=TEMPLATE)


def title(number: int) -> str:
    return f"#1 E{number} is now “open”"


def digest_sections(body: str) -> dict[str, list[str]]:
    """A digest e-mail's text as {heading: [item lines]}."""
    sections: dict[str, list[str]] = {}
    heading = None
    for line in body.splitlines()[3:]:  # after the greeting and "Your digest of …:"
        if line.startswith("- "):
            assert heading is not None, body
            sections[heading].append(line.removeprefix("- "))
        elif line and not line.startswith("  "):
            heading = line
            sections[heading] = []
    return sections


@pytest.mark.django_db
class TestDigestDelivery(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    # Named, being rare in a small random sample: a digest waits out a pause, then a later
    # hour; what happens after today's digest waits for tomorrow's.
    @example(2, DEFAULTS, [("event", events.NEED_NEW), ("pause", True), ("wait", 8)])
    @example(6, DEFAULTS, [("event", events.NEED_STATUS), ("hour", 9), ("wait", 2)])
    @example(8, DEFAULTS, [("event", events.NEED_NEW), ("event", events.MINUTES_PUBLISHED)])
    @given(st.integers(min_value=0, max_value=23), first_choices, steps)
    def test_each_event_arrives_once_when_wanted_and_never_otherwise(
        self, start, choices, plan
    ) -> None:
        person = UserFactory(time_zone="Europe/Brussels", language="en", is_facilitator=True)
        # The clock starts at any hour of a day to come (the events themselves are stamped
        # with the real time, before it).
        day = datetime.datetime.now(BRUSSELS).date() + datetime.timedelta(days=2)
        now = datetime.datetime.combine(day, datetime.time(start, tzinfo=BRUSSELS))
        paused, hour = False, services.settings_of(person).digest_hour
        services.update_preferences(person, modes=choices, digest_hour=hour, paused=False)
        modes = dict(choices)
        wanted: dict[int, tuple[events.Event, Mode]] = {}
        waiting: list[int] = []  # events kept for the next digest
        digest_days: set[datetime.date] = set()

        def run_digest(at: datetime.datetime) -> None:
            """The worker's turn: a digest goes out exactly when the model says it is due."""
            local = at.astimezone(BRUSSELS)
            due = not paused and local.hour >= hour and waiting and local.date() not in digest_days
            message = services.send_digest(person, now=at)
            assert (message is not None) == bool(due), (local, hour, paused, waiting)
            if message is not None:
                items = [
                    line for lines in digest_sections(message.body_text).values() for line in lines
                ]
                assert sorted(items) == sorted(title(n) for n in waiting)
                waiting.clear()
                digest_days.add(local.date())

        for number, step in enumerate(plan):
            match step:
                case ("event", event):
                    mode = Mode.OFF if paused else modes[event.kind]
                    assert notice(person, event, number) is mode
                    wanted[number] = (event, mode)
                    if mode is Mode.DIGEST:
                        waiting.append(number)
                case ("choose", event, mode):
                    modes[event.kind] = mode
                    services.update_preferences(
                        person, modes={event.kind: mode}, digest_hour=hour, paused=paused
                    )
                case ("pause", value):
                    paused = value
                    services.update_preferences(person, modes={}, digest_hour=hour, paused=value)
                case ("hour", value):
                    hour = value
                    services.update_preferences(person, modes={}, digest_hour=value, paused=paused)
                case ("wait", hours):
                    now += datetime.timedelta(hours=hours)
            # The worker looks after every step, as a restarted one or a second one would.
            run_digest(now)
        # In the end the person resumes, and the next two days' digests go out, late in the
        # evening (after any digest hour).
        paused = False
        services.update_preferences(person, modes={}, digest_hour=hour, paused=False)
        last_day = now.astimezone(BRUSSELS).date()
        for after in (1, 2):
            evening = datetime.time(23, 30, tzinfo=BRUSSELS)
            run_digest(
                datetime.datetime.combine(last_day + datetime.timedelta(days=after), evening)
            )
        assert waiting == []
        assert DigestItem.objects.filter(user=person).pending().count() == 0

        # What the person received: e-mails at once, and digest e-mails, each under the
        # heading of its kind, one digest a day.
        sent = OutboxMessage.objects.filter(to=person.email)
        at_once = list(sent.exclude(kind="digest").values_list("subject", flat=True))
        digests = list(sent.filter(kind="digest").values_list("subject", "body_text"))
        with translation.override("en"):
            headings = {str(event.label): event for event in KINDS}
        found: dict[str, list[events.Event]] = {}
        for subject, body in digests:
            sections = digest_sections(body)
            count = sum(len(lines) for lines in sections.values())
            things = "thing happened" if count == 1 else "things happened"
            assert subject == f"Komunigi: {count} {things} since your last digest"
            for heading, lines in sections.items():
                for line in lines:
                    found.setdefault(line, []).append(headings[heading])
        for number, (event, mode) in wanted.items():
            assert at_once.count(title(number)) == (1 if mode is Mode.IMMEDIATE else 0), number
            assert found.get(title(number), []) == ([event] if mode is Mode.DIGEST else [])
        days = list(Digest.objects.filter(user=person).values_list("day", flat=True))
        assert len(days) == len(set(days)) == len(digests)
        assert not re.search(r"\{|%\(", "".join(body for _subject, body in digests))
