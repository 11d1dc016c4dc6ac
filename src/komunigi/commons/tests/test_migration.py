"""The migration planner, the need it proposes, and a module's funders."""

import csv
import io

import pytest
from django.test import Client

from komunigi.commons.models import Dependency, Installation, Module, ModuleVersion, NeedModule
from komunigi.commons.tests.test_who_runs import logged_in, person
from komunigi.community.models import OrganisationKind, Role
from komunigi.community.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from komunigi.needs.models import Interest, Need

pytestmark = pytest.mark.django_db


def version(name: str, series: str, depends: tuple[str, ...] = (), **fields) -> None:
    module, _created = Module.objects.get_or_create(technical_name=name)
    found = ModuleVersion.objects.create(
        module=module, series=series, name=name, community_depends=list(depends), **fields
    )
    Dependency.objects.bulk_create(Dependency(version=found, name=d) for d in depends)


def runs(organisation, series: str, *names: str) -> None:
    for name in names:
        Installation.objects.create(
            organisation=organisation, module=Module.objects.get(technical_name=name), series=series
        )


@pytest.fixture
def community():
    """On 12.0: base ← shift ← shift_email, and a ↔ b depending on each other; on 16.0 only
    base exists (and labels, which nobody runs on 12.0)."""
    version("base", "12.0")
    version("shift", "12.0", ("base",))
    version("shift_email", "12.0", ("shift",))
    version("a", "12.0", ("b", "base"))
    version("b", "12.0", ("a",))
    version("base", "16.0")
    version("shift", "16.0", installable=False)  # in the branch, not migrated yet
    version("labels", "16.0")
    bees = OrganisationFactory(name="BEES coop", slug="bees-coop")
    bloum = OrganisationFactory(name="BLOUM", slug="bloum")
    cie = OrganisationFactory(name="Coop IT Easy", kind=OrganisationKind.PROVIDER)
    runs(bees, "12.0", "base", "shift", "shift_email", "a", "b")
    runs(bloum, "12.0", "base", "shift")
    runs(cie, "12.0", "base")
    return bees, bloum, cie


def test_the_plan_lists_what_is_missing_in_an_order_that_respects_dependencies(
    community,
) -> None:
    page = Client().get("/en/commons/migration/", {"source": "12.0", "target": "16.0"})
    plan = page.context["plan"]
    assert [p.module.technical_name for p in plan.ready] == ["base"]
    assert [(p.step, p.module.technical_name) for p in plan.missing] == [
        (1, "a"), (1, "b"), (2, "shift"), (3, "shift_email"),
    ]  # fmt: skip
    assert plan.cycles == [["a", "b"]]
    shift = plan.missing[2]
    assert [o.name for o in shift.runners] == ["BEES coop", "BLOUM"]
    assert shift.supermarkets == 2
    assert shift.dependents == ["shift_email"]
    assert "a ↔ b" in page.content.decode()


def test_the_plan_as_json_and_csv(community) -> None:
    plan = Client().get("/api/v1/commons/migration", {"source": "12.0", "target": "16.0"}).json()
    assert [(m["step"], m["technical_name"], m["in_cycle"]) for m in plan["to_migrate"]] == [
        (1, "a", True), (1, "b", True), (2, "shift", False), (3, "shift_email", False),
    ]  # fmt: skip
    assert plan["to_migrate"][2]["run_by"] == ["bees-coop", "bloum"]
    assert plan["on_target"][0]["technical_name"] == "base"
    assert (
        Client().get("/api/v1/commons/migration", {"source": "x", "target": "16.0"}).status_code
        == 422
    )
    exported = Client().get("/en/commons/migration/plan.csv", {"source": "12.0", "target": "16.0"})
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [(r["step"], r["technical_name"], r["on_target"]) for r in rows] == [
        ("1", "a", "no"), ("1", "b", "no"), ("2", "shift", "no"), ("3", "shift_email", "no"),
        ("", "base", "yes"),
    ]  # fmt: skip


def test_a_facilitator_turns_the_plan_into_a_need_with_the_supermarkets_interested(
    community, facilitator
) -> None:
    bees, bloum, cie = community
    MembershipFactory(user=facilitator, organisation=cie)
    client = logged_in(facilitator)
    answer = client.post(
        "/en/commons/migration/need/",
        {"source": "12.0", "target": "16.0", "organisation": str(cie.pk)},
    )
    need = Need.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == need.get_absolute_url()
    assert need.status == "open"
    assert need.odoo_series == "16.0"
    assert need.organisation == cie
    assert "12.0" in need.title
    assert "16.0" in need.title
    linked = NeedModule.objects.filter(need=need).values_list("module__technical_name", flat=True)
    assert sorted(linked) == ["a", "b", "shift", "shift_email"]
    interests = {i.organisation: i for i in Interest.objects.filter(need=need)}
    assert set(interests) == {bees, bloum}  # supermarkets; the provider runs only base
    assert "shift" in interests[bloum].comment
    assert "shift_email" not in interests[bloum].comment
    assert need.tags.filter(slug="migration").exists()


def test_only_facilitators_propose_the_need_and_a_hidden_list_is_not_named(
    community, facilitator
) -> None:
    bees, _bloum, cie = community
    representative = person(Role.REPRESENTATIVE, bees)
    refused = logged_in(representative).post(
        "/en/commons/migration/need/",
        {"source": "12.0", "target": "16.0", "organisation": str(bees.pk)},
    )
    assert refused.status_code == 403
    assert not Need.objects.exists()
    logged_in(representative).post("/en/ecosystem/bees-coop/modules/visibility/", {"hidden": "1"})
    MembershipFactory(user=facilitator, organisation=cie)
    logged_in(facilitator).post(
        "/en/commons/migration/need/",
        {"source": "12.0", "target": "16.0", "organisation": str(cie.pk)},
    )
    need = Need.objects.get()
    assert list(
        Interest.objects.filter(need=need).values_list("organisation__name", flat=True)
    ) == ["BLOUM"]
    assert "BEES coop" not in need.problem
    public = Client().get("/en/commons/migration/", {"source": "12.0", "target": "16.0"})
    shift = public.context["plan"].missing[2]
    assert [o.name for o in shift.runners] == ["BLOUM"]
    assert shift.hidden_runners == 1
    assert shift.supermarkets == 2


def test_nothing_to_migrate_proposes_nothing(facilitator) -> None:
    version("base", "12.0")
    version("base", "16.0")
    cie = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    runs(cie, "12.0", "base")
    MembershipFactory(user=facilitator, organisation=cie)
    answer = logged_in(facilitator).post(
        "/en/commons/migration/need/",
        {"source": "12.0", "target": "16.0", "organisation": str(cie.pk)},
        follow=True,
    )
    assert "already exists on the target" in answer.content.decode()
    assert not Need.objects.exists()


def test_a_module_page_names_the_needs_and_campaigns_that_funded_it(facilitator) -> None:
    from komunigi.funding.tests.test_late_joiners import funded

    campaign, _people = funded(facilitator, "300.00", ["BEES coop", "BLOUM", "Le NID"])
    version("beesdoo_shift", "12.0")
    NeedModule.objects.create(
        need=campaign.need, module=Module.objects.get(technical_name="beesdoo_shift"), produced=True
    )
    page = Client().get("/en/commons/beesdoo_shift/")
    [row] = page.context["funders"]
    assert row["need"] == campaign.need
    assert row["produced"]
    [(shown, payers)] = row["campaigns"]
    assert shown == campaign
    assert payers.count == 3
    text = page.content.decode()
    assert f"Co-financed in {campaign.closed_at:%Y} by 3 organisations" in text
    assert (
        "BEES coop (100,00" in text or "BEES coop (€100.00" in text or "BEES coop (100.00" in text
    )
    need_page = Client().get(f"/en/needs/{campaign.need.pk}/")
    assert "beesdoo_shift" in need_page.content.decode()


def test_the_needs_modules_are_edited_by_who_edits_the_need(facilitator) -> None:
    from komunigi.needs.tests.factories import NeedFactory

    version("beesdoo_shift", "12.0")
    need = NeedFactory(status="open")
    outsider = person(Role.REPRESENTATIVE, OrganisationFactory())
    assert logged_in(outsider).get(f"/en/needs/{need.pk}/modules/").status_code in (403, 404)
    client = logged_in(facilitator)
    refused = client.post(f"/en/needs/{need.pk}/modules/", {"touched": "beesdoo_shift nope"})
    assert refused.status_code == 400
    assert "Not in the catalogue: nope." in refused.content.decode()
    assert 'value="beesdoo_shift nope"' in refused.content.decode()  # what was typed stays
    client.post(f"/en/needs/{need.pk}/modules/", {"touched": "beesdoo_shift"})
    assert [link.module.technical_name for link in NeedModule.objects.filter(need=need)] == [
        "beesdoo_shift"
    ]


@pytest.mark.parametrize("count", [1, 4])
def test_the_planner_and_module_pages_run_a_fixed_number_of_queries(
    django_assert_num_queries, count: int
) -> None:
    for n in range(count):
        version(f"m{n}", "12.0", (f"m{n - 1}",) if n else ())
        organisation = OrganisationFactory()
        runs(organisation, "12.0", *[f"m{k}" for k in range(n + 1)])
    version("m0", "16.0")
    client = Client()
    # known series ×2, installations, hidden lists, on target, dependencies
    with django_assert_num_queries(6):
        client.get("/en/commons/migration/", {"source": "12.0", "target": "16.0"})
    # module, versions, dependents and their count, runners, hidden lists, need links (no
    # need: no campaign nor payer to ask for), maintenance plans (none: no share to ask for)
    with django_assert_num_queries(8):
        client.get("/en/commons/m0/")
    # a person adds their session and user, and whether they follow the module (the button);
    # a visitor has no button and so no such query
    client.force_login(UserFactory())
    with django_assert_num_queries(11):
        client.get("/en/commons/m0/")
