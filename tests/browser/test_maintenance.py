"""A representative reads its supermarket's maintenance bill line by line, opts one module
out and commits."""

import datetime
from decimal import Decimal

import pytest
from browser_support import assert_accessible, field, log_in, t
from django.utils import timezone
from playwright.sync_api import Page, expect

from komunigi.commons.models import Installation, Module
from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.funding.services import maintenance

pytestmark = pytest.mark.browser


def runs(organisation, *names: str) -> None:
    for name in names:
        module, _created = Module.objects.get_or_create(technical_name=name)
        Installation.objects.create(organisation=organisation, module=module, series="12.0")


def test_a_representative_opts_a_module_out_of_its_bill_and_commits(
    page: Page, facilitator: User
) -> None:
    bees = OrganisationFactory(name="BEES coop")
    claire = MembershipFactory(
        organisation=bees, role=Role.REPRESENTATIVE, user=UserFactory(full_name="Claire Dubois")
    ).user
    runs(bees, "beesdoo_shift", "beesdoo_pos")
    runs(OrganisationFactory(name="BLOUM"), "beesdoo_shift", "beesdoo_pos")
    plan = maintenance.open_plan(
        actor=facilitator,
        title="Maintenance 2026",
        provider=OrganisationFactory(name="Coop IT Easy", kind=OrganisationKind.PROVIDER),
        series="12.0",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        deadline=timezone.now() + datetime.timedelta(days=14),
        included="Security fixes within five working days",
        costs={
            Module.objects.get(technical_name="beesdoo_shift"): Decimal("600.00"),
            Module.objects.get(technical_name="beesdoo_pos"): Decimal("400.00"),
        },
    )

    log_in(page, claire.email)
    page.goto("/co-financing/")
    page.get_by_role("link", name=t("Maintenance of the shared modules")).click()
    page.get_by_role("link", name="Maintenance 2026").click()
    bill = page.get_by_role("region", name=t("The bill of %(name)s", name="BEES coop"))
    expect(bill).to_contain_text("beesdoo_pos")
    pos = bill.get_by_role("row").filter(has_text="beesdoo_pos")
    expect(pos).to_contain_text("200,00")
    assert_accessible(page)

    pos.get_by_role("button", name=t("Opt out")).click()
    bill = page.get_by_role("region", name=t("The bill of %(name)s", name="BEES coop"))
    expect(bill.get_by_role("row").filter(has_text="beesdoo_pos")).to_contain_text(
        t("Opted out: not maintained for you")
    )
    expect(bill.get_by_role("row").filter(has_text=t("Total"))).to_contain_text("300,00")

    field(page, t("We pay at most")).fill("350")
    page.get_by_role("button", name=t("Commit to our bill")).click()
    expect(page.get_by_role("status").first).to_contain_text("BEES coop")
    commitment = plan.commitments.get()
    assert (commitment.organisation, commitment.cap) == (bees, Decimal("350.00"))
