"""Following an Odoo module: one click on its page, and each new need that touches it reaches
its followers, once per need whatever else of it they follow."""

import pytest
from django.test import Client
from django.utils import translation

from komunigi.commons import services
from komunigi.commons.models import Module, ModuleFollow
from komunigi.commons.tests.test_migration import runs, version
from komunigi.commons.tests.test_who_runs import logged_in
from komunigi.community.models import OrganisationKind, User
from komunigi.community.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from komunigi.needs import services as need_services
from komunigi.needs.models import Need, Tag
from komunigi.needs.tests.factories import NeedFactory
from komunigi.notifications import events
from komunigi.notifications.events import Mode
from komunigi.notifications.models import DigestItem, OutboxMessage
from komunigi.notifications.services import update_preferences

pytestmark = pytest.mark.django_db


def module(name: str) -> Module:
    return Module.objects.create(technical_name=name)


def follower(*, modules: tuple[Module, ...] = (), tags: tuple[Tag, ...] = ()) -> User:
    person = UserFactory(language="en")
    for followed in modules:
        services.follow_module(followed, user=person)
    for tag in tags:
        need_services.follow_tag(tag, user=person)
    return person


def digest_titles(person: User) -> list[str]:
    return list(DigestItem.objects.filter(user=person).values_list("title", flat=True))


def draft_by(representative: User, *, tags: list[str]) -> Need:
    return need_services.create_need(
        author=representative,
        organisation=representative.memberships.get().organisation,
        title="Shifts by e-mail",
        problem="p",
        expected_outcome="o",
        tags=tags,
        odoo_series="12.0",
        publish=False,
    )


def test_one_click_on_the_module_page_follows_it_and_another_stops(outsider: User) -> None:
    shift = module("beesdoo_shift")
    client = logged_in(outsider)
    with translation.override("en"):
        assert "Follow this module" in client.get("/en/commons/beesdoo_shift/").content.decode()
        followed = client.post("/en/commons/beesdoo_shift/follow/", {"follow": "1"}, follow=True)
        page = followed.content.decode()
        assert followed.redirect_chain == [("/en/commons/beesdoo_shift/#follow", 302)]
        assert (
            "You follow the module “beesdoo_shift”: each new need that touches it will be "
            "notified to you." in page
        )
        assert "Stop following this module" in page
        assert list(ModuleFollow.objects.values_list("user", "module")) == [(outsider.pk, shift.pk)]
        stopped = client.post("/en/commons/beesdoo_shift/follow/", {"follow": "0"}, follow=True)
        assert "You no longer follow the module “beesdoo_shift”." in stopped.content.decode()
        assert "Follow this module" in stopped.content.decode()
    assert not ModuleFollow.objects.exists()


def test_following_needs_a_login_a_post_and_its_csrf_token(outsider: User) -> None:
    module("beesdoo_shift")
    page = Client().get("/en/commons/beesdoo_shift/").content.decode()
    assert 'action="/en/commons/beesdoo_shift/follow/"' not in page  # visitors have no button
    refused = Client().post("/en/commons/beesdoo_shift/follow/", {"follow": "1"})
    assert refused.status_code == 302
    assert refused["Location"].startswith("/en/accounts/login/")
    assert logged_in(outsider).get("/en/commons/beesdoo_shift/follow/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(outsider)
    assert strict.post("/en/commons/beesdoo_shift/follow/", {"follow": "1"}).status_code == 403
    assert logged_in(outsider).post("/en/commons/nothing/follow/").status_code == 404
    assert not ModuleFollow.objects.exists()


def test_a_published_need_reaches_the_followers_of_its_modules_and_tags_once_each(
    representative: User,
) -> None:
    shift, mail = module("beesdoo_shift"), module("beesdoo_shift_mail")
    stock = Tag.objects.create(name="Stock", slug="stock")
    of_module = follower(modules=(shift,))
    of_both_modules = follower(modules=(shift, mail))
    of_tag_and_module = follower(modules=(shift,), tags=(stock,))
    of_tag = follower(tags=(stock,))
    services.follow_module(shift, user=representative)  # the author is not told of their own
    draft = draft_by(representative, tags=["Stock"])
    services.set_need_modules(draft, [shift, mail], [], actor=representative)
    assert not DigestItem.objects.exists()  # a draft is nobody's news yet

    need_services.change_status(draft, "open", actor=representative, reason="")
    new = f"New need {draft.reference} Shifts by e-mail"
    assert digest_titles(of_module) == [f"{new} (beesdoo_shift)"]
    assert digest_titles(of_both_modules) == [f"{new} (beesdoo_shift, beesdoo_shift_mail)"]
    assert digest_titles(of_tag_and_module) == [f"{new} (Stock, beesdoo_shift)"]
    assert digest_titles(of_tag) == [f"{new} (Stock)"]
    assert digest_titles(representative) == []


def test_modules_linked_to_a_published_need_tell_only_those_not_told_yet(
    representative: User,
) -> None:
    shift, mail, labels = module("beesdoo_shift"), module("beesdoo_shift_mail"), module("labels")
    stock = Tag.objects.create(name="Stock", slug="stock")
    of_tag_and_mail = follower(modules=(mail,), tags=(stock,))
    of_shift_and_mail = follower(modules=(shift, mail))
    of_mail = follower(modules=(mail,))
    of_labels = follower(modules=(labels,))
    update_preferences(
        of_labels, modes={events.NEED_NEW.kind: Mode.IMMEDIATE}, digest_hour=7, paused=False
    )
    need = draft_by(representative, tags=["Stock"])
    services.set_need_modules(need, [shift], [], actor=representative)
    need_services.change_status(need, "open", actor=representative, reason="")
    assert digest_titles(of_shift_and_mail) == [
        f"New need {need.reference} Shifts by e-mail (beesdoo_shift)"
    ]

    # mail joins shift: its followers who heard of the need through a tag or shift are not
    # told again; labels is linked later, and only its follower hears of it then, at once.
    services.set_need_modules(need, [shift, mail], [], actor=representative)
    services.set_need_modules(need, [shift, mail], [], actor=representative)  # no change
    services.set_need_modules(need, [shift, mail, labels], [labels], actor=representative)
    assert digest_titles(of_tag_and_mail) == [f"New need {need.reference} Shifts by e-mail (Stock)"]
    assert len(digest_titles(of_shift_and_mail)) == 1
    assert digest_titles(of_mail) == [
        f"New need {need.reference} Shifts by e-mail (beesdoo_shift_mail)"
    ]
    assert list(
        OutboxMessage.objects.filter(to=of_labels.email).values_list("subject", flat=True)
    ) == [f"New need {need.reference} Shifts by e-mail (labels)"]


def test_a_need_no_longer_under_way_is_no_news_when_it_names_what_it_produced(
    facilitator: User,
) -> None:
    shift = module("beesdoo_shift")
    watcher = follower(modules=(shift,))
    delivered = NeedFactory(status="delivered")
    services.set_need_modules(delivered, [], [shift], actor=facilitator)
    assert digest_titles(watcher) == []


def test_the_proposed_migration_need_reaches_its_modules_followers_once(
    facilitator: User,
) -> None:
    version("shift", "12.0")
    version("base", "16.0")
    runs(OrganisationFactory(name="BEES coop"), "12.0", "shift")
    cie = OrganisationFactory(name="Coop IT Easy", kind=OrganisationKind.PROVIDER)
    MembershipFactory(user=facilitator, organisation=cie)
    shift = Module.objects.get(technical_name="shift")
    migration = Tag.objects.create(name="migration", slug="migration")
    of_shift = follower(modules=(shift,))
    of_tag_and_shift = follower(modules=(shift,), tags=(migration,))
    logged_in(facilitator).post(
        "/en/commons/migration/need/",
        {"source": "12.0", "target": "16.0", "organisation": str(cie.pk)},
    )
    need = Need.objects.get()
    assert digest_titles(of_shift) == [f"New need {need.reference} {need.title} (shift)"]
    assert digest_titles(of_tag_and_shift) == [
        f"New need {need.reference} {need.title} (migration)"
    ]


def test_the_preferences_page_names_modules_in_the_new_need_kind(outsider: User) -> None:
    page = logged_in(outsider).get("/en/account/notifications/").content.decode()
    assert "A new need in a tag or Odoo module I follow" in page
