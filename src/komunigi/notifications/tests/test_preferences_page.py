import pytest
from django.test import Client

from komunigi.community.models import User
from komunigi.community.tests.factories import UserFactory
from komunigi.notifications import services
from komunigi.notifications.events import Mode

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_person_chooses_per_kind_their_digest_hour_and_a_pause() -> None:
    person = UserFactory(language="en")
    client = logged_in(person)
    page = client.get("/en/account/notifications/")
    assert page.status_code == 200
    assert "A need I follow changes status" in page.content.decode()
    assert "A join request arrives" not in page.content.decode()  # facilitators only

    form = {
        name: field.initial if field.initial is not None else ""
        for name, field in page.context["form"].fields.items()
    }
    form.update(page.context["form"].initial)
    form.update(kind_need_comment="digest", kind_campaign_opened="off", digest_hour="19")
    form.pop("paused")
    answer = client.post("/en/account/notifications/", form)
    assert answer.status_code == 302
    modes = services.modes_of(person)
    assert (modes["need-comment"], modes["campaign-opened"]) == (Mode.DIGEST, Mode.OFF)
    assert services.settings_of(person).digest_hour == 19
    assert services.settings_of(person).paused is False


def test_a_bad_choice_is_refused_with_a_message_and_keeps_what_was_typed() -> None:
    person = UserFactory(language="en")
    client = logged_in(person)
    answer = client.post(
        "/en/account/notifications/",
        {"digest_hour": "25", "kind_need_comment": "sometimes", "paused": "on"},
    )
    assert answer.status_code == 400
    form = answer.context["form"]
    assert form["paused"].value() is True
    assert "kind_need_comment" in form.errors
    assert "digest_hour" in form.errors
    assert services.modes_of(person)["need-comment"] is Mode.IMMEDIATE  # unchanged


def test_facilitators_see_but_cannot_change_what_a_person_chose(facilitator: User) -> None:
    person = UserFactory(language="en")
    services.update_preferences(
        person, modes={"need-comment": Mode.OFF}, digest_hour=9, paused=True
    )
    url = f"/en/facilitation/people/{person.pk}/notifications/"
    page = logged_in(facilitator).get(url)
    assert page.status_code == 200
    rows = dict((event.kind, mode) for event, mode in page.context["rows"])
    assert rows["need-comment"] is Mode.OFF
    assert "Paused" in page.content.decode()
    assert logged_in(facilitator).post(url, {"kind_need_comment": "immediate"}).status_code == 405
    assert services.modes_of(person)["need-comment"] is Mode.OFF
    assert logged_in(UserFactory()).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_the_preferences_page_runs_a_fixed_number_of_queries(django_assert_num_queries) -> None:
    person = UserFactory(language="en")
    services.update_preferences(
        person,
        modes={"need-comment": Mode.OFF, "need-new": Mode.IMMEDIATE},
        digest_hour=9,
        paused=False,
    )
    client = logged_in(person)
    # session, user, the person's settings, their choices
    with django_assert_num_queries(4):
        client.get("/en/account/notifications/")
