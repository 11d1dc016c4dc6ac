"""A member reads a thread and answers on the web; a facilitator marks it solved; the practice
base finds it."""

import pytest
from browser_support import field, log_in, t
from playwright.sync_api import Page, expect

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.discussions import services
from komunigi.discussions.models import MailingList

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
