"""A member reads a thread and answers on the web; a facilitator marks it solved; the practice
base finds it."""

import pytest
from browser_support import assert_accessible, field, log_in, t
from playwright.sync_api import Page, expect

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.discussions import services
from komunigi.discussions.models import Delivery, MailingList, Subscription
from komunigi.needs.models import Tag
from komunigi.needs.tests.factories import NeedFactory

pytestmark = pytest.mark.browser


def test_an_answer_on_the_web_solves_the_question_and_the_practice_base_finds_it(
    page: Page, new_context, facilitator: User
) -> None:
    entraide = MailingList.objects.create(name="Entraide", slug="entraide", local_part="community")
    camille = MembershipFactory(
        organisation=OrganisationFactory(name="Le NID"),
        role=Role.REPRESENTATIVE,
        user=UserFactory(full_name="Camille Morel"),
    ).user
    nathalie = MembershipFactory(
        organisation=OrganisationFactory(name="BLOUM"),
        role=Role.REPRESENTATIVE,
        user=UserFactory(full_name="Nathalie Lambert"),
    ).user
    thread = services.start_thread(
        entraide,
        author=camille,
        subject="Rappels de créneaux",
        body="Nos rappels de créneaux ne partent plus. Une idée ?",
    )

    log_in(page, nathalie.email)
    page.goto("/lists/")
    page.get_by_role("link", name="Entraide").click()
    page.get_by_role("link", name="Rappels de créneaux").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rappels de créneaux")
    page.get_by_role("link", name=t("Quote and answer")).click()
    answer = field(page, t("Your answer"))
    expect(answer).to_have_value(
        "Camille Morel (Le NID):\n> Nos rappels de créneaux ne partent plus. Une idée ?\n\n"
    )
    answer.fill("Vérifiez le champ « Envoyer à » du modèle d'e-mail.")
    page.get_by_role("button", name=t("Send the answer")).click()
    expect(page.get_by_role("status")).to_contain_text(t("Your answer was posted."))
    expect(page.get_by_role("article").last).to_contain_text("Envoyer à")

    facilitator_page = new_context().new_page()
    log_in(facilitator_page, facilitator.email)
    facilitator_page.goto(thread.get_absolute_url())
    facilitator_page.get_by_role("button", name=t("This answered the question")).click()
    expect(facilitator_page.get_by_role("heading", level=1)).to_contain_text(t("Solved"))

    page.goto("/practice/")
    field(page, t("Search")).fill("modèle")
    page.get_by_role("button", name=t("Search")).click()
    result = page.get_by_role("region", name="Rappels de créneaux")
    expect(result).to_contain_text("Nos rappels de créneaux ne partent plus")
    expect(result).to_contain_text("Envoyer à")


def test_a_member_picks_the_digest_without_javascript_and_finds_the_practice_by_topic(
    new_context,
) -> None:
    entraide = MailingList.objects.create(name="Entraide", slug="entraide", local_part="community")
    MailingList.objects.create(name="Logistique", slug="logistique", local_part="logistique")
    lucie = MembershipFactory(
        organisation=OrganisationFactory(name="Oufticoop"),
        role=Role.REPRESENTATIVE,
        user=UserFactory(full_name="Lucie Martin"),
    ).user
    need = NeedFactory(title="Rappels de créneaux")
    need.tags.set([Tag.objects.create(name="Planning", slug="planning")])
    thread = services.start_thread(
        entraide, author=lucie, subject="Rappels la veille", body="Comment ?", needs=[need]
    )
    answer = services.reply(thread, author=lucie, body="Le planificateur, chaque soir.")
    services.mark_solved(thread, actor=lucie, answer=answer)

    page = new_context(java_script_enabled=False).new_page()
    log_in(page, lucie.email)
    offer = page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name="Logistique", exact=True)
    )
    offer.get_by_label(t("Daily digest")).check()
    offer.get_by_role("button", name=t("Subscribe to %(name)s", name="Logistique")).click()
    expect(page.get_by_role("status")).to_contain_text(
        t(
            "You read the list %(name)s: %(delivery)s.",
            name="Logistique",
            delivery=t("Daily digest"),
        )
    )
    subscription = Subscription.objects.get(user=lucie)
    assert (subscription.mailing_list.slug, subscription.delivery) == (
        "logistique",
        Delivery.DIGEST,
    )

    page.goto("/practice/")
    topic = page.get_by_role("region", name="Planning")
    topic.get_by_role("link", name="Rappels la veille").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rappels la veille")

    # With JavaScript, as most people see them: the offer and the topics are accessible.
    scripted = new_context().new_page()
    log_in(scripted, lucie.email)
    expect(
        scripted.get_by_role("button", name=t("Subscribe to %(name)s", name="Entraide"))
    ).to_be_visible()
    assert_accessible(scripted)
    scripted.goto("/practice/")
    assert_accessible(scripted)
