"""Whatever the events and the changes of mind, each event reaches a person at most once,
and exactly once when they wanted it at the time."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from komunigi.community.tests.factories import UserFactory
from komunigi.notifications import events, services
from komunigi.notifications.events import Mode
from komunigi.notifications.models import Digest, DigestItem, OutboxMessage

KINDS = [events.NEED_STATUS, events.NEED_NEW]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("event"), st.sampled_from(KINDS)),
        st.tuples(st.just("choose"), st.sampled_from(KINDS), st.sampled_from(list(Mode))),
        st.tuples(st.just("pause"), st.booleans()),
        st.tuples(st.just("hours"), st.integers(min_value=1, max_value=30)),
        st.tuples(
            st.just("digest"),
        ),
    ),
    max_size=25,
)


def notice(person, event: events.Event, number: int) -> Mode:
    context = {
        "need": {"title": f"E{number}", "reference": "#1"},
        "status": "open",
        "tags": "stock",
        "url": "http://127.0.0.1:8000/needs/1/",
    }
    return services.notify(person, event, context)


@pytest.mark.django_db
class TestDigestDelivery(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps)
    def test_each_event_arrives_once_when_wanted_and_never_otherwise(self, plan) -> None:
        person = UserFactory(time_zone="Europe/Brussels", language="en")
        now = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
        modes = {event.kind: event.default for event in KINDS}
        paused, hour = False, 7
        wanted: dict[str, Mode] = {}
        for number, step in enumerate(plan):
            match step:
                case ("event", event):
                    mode = notice(person, event, number)
                    wanted[f"E{number}"] = Mode.OFF if paused else modes[event.kind]
                    assert mode is wanted[f"E{number}"]
                case ("choose", event, mode):
                    modes[event.kind] = mode
                    services.update_preferences(
                        person, modes={event.kind: mode}, digest_hour=hour, paused=paused
                    )
                case ("pause", value):
                    paused = value
                    services.update_preferences(person, modes={}, digest_hour=hour, paused=value)
                case ("hours", hours):
                    now += datetime.timedelta(hours=hours)
                case ("digest",):
                    services.send_digest(person, now=now)
        # In the end the person resumes, and the next days' digests go out.
        services.update_preferences(person, modes={}, digest_hour=hour, paused=False)
        # (at 11:00 UTC, after the 07:00 digest hour in Brussels).
        for day in (1, 2):
            later = (now + datetime.timedelta(days=day)).replace(hour=11, minute=0)
            services.send_digest(person, now=later)

        subjects = list(
            OutboxMessage.objects.filter(to=person.email).values_list("subject", flat=True)
        )
        for title, mode in wanted.items():
            immediate = sum(1 for subject in subjects if f"#1 {title} " in subject)
            in_digests = DigestItem.objects.filter(
                user=person, title__contains=f"#1 {title} ", digest__isnull=False
            ).count()
            assert (immediate, in_digests) == (
                (1 if mode is Mode.IMMEDIATE else 0),
                (1 if mode is Mode.DIGEST else 0),
            ), title
        assert DigestItem.objects.filter(user=person, digest=None).count() == 0
        days = list(Digest.objects.filter(user=person).values_list("day", flat=True))
        assert len(days) == len(set(days))
