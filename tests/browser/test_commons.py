"""A representative uploads the module list exported from Odoo; a facilitator turns the
12.0 → 16.0 plan into a pooled need with the supermarkets that run the modules."""

import pytest
from browser_support import assert_accessible, field, log_in, t
from playwright.sync_api import Page, expect

from komunigi.commons.models import Installation, Module, ModuleVersion
from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.needs.models import Interest, Need

pytestmark = pytest.mark.browser

EXPORT = (
    '"Technical Name","Module Name","Status"\n'
    '"sale","Sales","Installed"\n'
    '"beesdoo_base","Beesdoo base","Installed"\n'
    '"beesdoo_shift","Shift management","Installed"\n'
    '"beesdoo_pos","Point of sale","Not Installed"\n'
    '"not_ours","Somebody else\'s","Installed"\n'
)


def catalogue() -> None:
    for name, series in (("beesdoo_base", "12.0"), ("beesdoo_shift", "12.0"),
                         ("beesdoo_pos", "12.0"), ("beesdoo_base", "16.0")):  # fmt: skip
        module, _created = Module.objects.get_or_create(technical_name=name)
        depends = ["beesdoo_base"] if name != "beesdoo_base" else []
        ModuleVersion.objects.create(
            module=module, series=series, name=name, community_depends=depends
        )


def test_an_uploaded_list_becomes_a_planned_migration_and_a_pooled_need(
    page: Page, new_context, facilitator: User, tmp_path
) -> None:
    catalogue()
    bees = OrganisationFactory(name="BEES coop", slug="bees-coop", odoo_series="12.0")
    claire = MembershipFactory(
        organisation=bees, role=Role.REPRESENTATIVE, user=UserFactory(full_name="Claire Dubois")
    ).user
    cie = OrganisationFactory(name="Coop IT Easy", kind=OrganisationKind.PROVIDER)
    MembershipFactory(organisation=cie, user=facilitator)

    log_in(page, claire.email)
    page.goto(bees.get_absolute_url())
    page.get_by_role("link", name=t("The Odoo modules it runs")).click()
    export = tmp_path / "modules.csv"
    export.write_text(EXPORT)
    page.get_by_label(t("Module list exported from Odoo (CSV)")).set_input_files(export)
    expect(field(page, t("Odoo series")).last).to_have_value("12.0")
    page.get_by_role("button", name=t("Upload")).click()
    report = page.get_by_role("status")
    expect(report).to_contain_text("beesdoo_base, beesdoo_shift")
    expect(report).to_contain_text("not_ours")
    expect(page.get_by_role("heading", name="Odoo 12.0")).to_be_visible()
    assert_accessible(page)
    assert sorted(
        Installation.objects.filter(organisation=bees).values_list(
            "module__technical_name", flat=True
        )
    ) == ["beesdoo_base", "beesdoo_shift"]

    planner = new_context().new_page()
    log_in(planner, facilitator.email)
    planner.goto("/commons/")
    planner.get_by_role("link", name=t("Plan a migration to a new Odoo series")).click()
    planner.get_by_label(t("From"), exact=True).select_option("12.0")
    planner.get_by_label(t("To"), exact=True).select_option("16.0")
    planner.get_by_role("button", name=t("Plan"), exact=True).click()
    row = planner.get_by_role("row").filter(has_text="beesdoo_shift")
    expect(row).to_contain_text("BEES coop")
    assert_accessible(planner)
    planner.get_by_label(t("Proposed by")).select_option(label="Coop IT Easy")
    planner.get_by_role("button", name=t("Propose a pooled migration need")).click()
    expect(planner.get_by_role("heading", level=1)).to_contain_text("16.0")
    expect(planner.get_by_role("link", name="beesdoo_shift")).to_be_visible()
    need = Need.objects.get()
    assert [i.organisation for i in Interest.objects.filter(need=need)] == [bees]
