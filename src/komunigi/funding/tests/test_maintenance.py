"""Maintenance plans: opened by a facilitator, committed to by who runs the modules, closed
through the ledger."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from komunigi.commons.models import Installation, Module
from komunigi.community.models import Organisation, OrganisationKind, Role
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.errors import DomainError
from komunigi.funding import ledger
from komunigi.funding.models import AccountKind, MaintenanceStatus
from komunigi.funding.services import maintenance

pytestmark = pytest.mark.django_db
D = Decimal


def member(name: str, *modules: str, series: str = "12.0"):
    organisation = OrganisationFactory(name=name)
    person = MembershipFactory(organisation=organisation, role=Role.REPRESENTATIVE).user
    for technical_name in modules:
        Installation.objects.create(
            organisation=organisation,
            module=Module.objects.get_or_create(technical_name=technical_name)[0],
            series=series,
        )
    return organisation, person


def a_plan(facilitator, costs: dict[str, str], **options):
    provider = Organisation.objects.filter(name="Coop IT Easy").first() or OrganisationFactory(
        name="Coop IT Easy", kind=OrganisationKind.PROVIDER
    )
    return maintenance.open_plan(
        actor=facilitator,
        title="Maintenance 2026",
        provider=provider,
        series="12.0",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        deadline=timezone.now() + datetime.timedelta(days=14),
        included="Security fixes",
        costs={Module.objects.get_or_create(technical_name=n)[0]: D(c) for n, c in costs.items()},
        **options,
    )


def owed(organisation) -> Decimal:
    return ledger.balance(ledger.account(AccountKind.ORGANISATION, organisation))


def test_a_bill_sums_the_shares_of_the_modules_an_organisation_runs(facilitator) -> None:
    bees, claire = member("BEES coop", "shift", "pos")
    bloum, nathalie = member("BLOUM", "shift")
    plan = a_plan(facilitator, {"shift": "600.00", "pos": "300.00"}, overhead_rate=D("0.10"))
    seen = maintenance.preview(plan)
    shift = Module.objects.get(technical_name="shift")
    pos = Module.objects.get(technical_name="pos")
    assert sorted(seen.everyone.bills[str(bees.pk)]) == sorted(
        [(str(shift.pk), D("660.00") / 2), (str(pos.pk), D("330.00"))]
    )
    assert seen.everyone.total(str(bloum.pk)) == D("330.00")
    assert not seen.firm.fundable  # nobody committed yet

    maintenance.commit(plan, bees, actor=claire)
    maintenance.commit(plan, bloum, actor=nathalie)
    closed = maintenance.close_plan(plan, actor=facilitator)
    assert closed.status == MaintenanceStatus.FUNDED
    assert (closed.to_raise, closed.overhead) == (D("990.00"), D("90.00"))
    assert owed(bees) == D("-660.00")
    assert owed(bloum) == D("-330.00")
    assert ledger.balance(ledger.account(AccountKind.PROVIDER, plan.provider)) == D("900.00")
    assert ledger.balance(ledger.fund()) == D("90.00")
    assert ledger.total_of_all_lines() == 0
    # Each module's shares are kept: the module's page says who maintained it and who paid.
    from django.test import Client

    page = Client().get("/en/commons/shift/")
    [(covered, shares)] = page.context["maintenance"]
    assert covered.plan == plan
    assert [(s.organisation, s.amount) for s in shares] == [
        (bees, D("330.00")), (bloum, D("330.00"))
    ]  # fmt: skip
    assert "Maintained by Coop IT Easy" in page.content.decode()


def test_an_opt_out_spreads_the_share_over_the_others(facilitator) -> None:
    bees, claire = member("BEES coop", "shift")
    bloum, _nathalie = member("BLOUM", "shift")
    plan = a_plan(facilitator, {"shift": "600.00"})
    maintenance.opt_out(
        plan, bees, Module.objects.get(technical_name="shift"), actor=claire, back=False
    )
    seen = maintenance.preview(plan)
    assert str(bees.pk) not in seen.everyone.bills
    assert seen.everyone.total(str(bloum.pk)) == D("600.00")


def test_closing_without_enough_commitments_fails_and_moves_nothing(facilitator) -> None:
    bees, claire = member("BEES coop", "shift")
    member("BLOUM", "pos")  # runs pos, never commits
    plan = a_plan(facilitator, {"shift": "600.00", "pos": "100.00"})
    maintenance.commit(plan, bees, actor=claire, needs_board_approval=True)
    closed = maintenance.close_plan(plan, actor=facilitator)
    assert closed.status == MaintenanceStatus.FAILED
    assert owed(bees) == 0
    assert ledger.total_of_all_lines() == 0
    with pytest.raises(DomainError):
        maintenance.commit(plan, bees, actor=claire)


def test_only_who_speaks_for_an_organisation_commits_and_only_if_it_runs_a_module(
    facilitator,
) -> None:
    _bees, claire = member("BEES coop", "shift")
    other, outsider = member("BLOUM")
    plan = a_plan(facilitator, {"shift": "600.00"})
    with pytest.raises(PermissionDenied):
        maintenance.commit(plan, other, actor=claire)
    with translation.override("en"), pytest.raises(DomainError, match="runs none"):
        maintenance.commit(plan, other, actor=outsider)
    with pytest.raises(PermissionDenied):
        maintenance.close_plan(plan, actor=claire)
    with pytest.raises(PermissionDenied):
        a_plan(claire, {"shift": "1.00"})


def logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_representative_sees_its_bill_line_by_line_opts_out_and_commits(facilitator) -> None:
    bees, claire = member("BEES coop", "shift", "pos")
    bloum, _nathalie = member("BLOUM", "shift")
    member("Le NID", "shift")
    plan = a_plan(facilitator, {"shift": "600.00", "pos": "300.00", "labels": "90.00"})
    client = logged_in(claire)
    page = client.get(f"/en/co-financing/maintenance/{plan.pk}/")
    [bill] = page.context["bills"]
    assert [(line.module.technical_name, line.share) for line in bill.lines] == [
        ("pos", D("300.00")), ("shift", D("200.00"))
    ]  # fmt: skip
    text = page.content.decode()
    assert "You run 2 of the 3 modules" in text
    assert "more for the 2 others" in text
    shift = Module.objects.get(technical_name="shift")
    client.post(
        f"/en/co-financing/maintenance/{plan.pk}/opt-out/",
        {"organisation": bees.pk, "module": shift.pk},
    )
    [bill] = client.get(f"/en/co-financing/maintenance/{plan.pk}/").context["bills"]
    assert [(line.module.technical_name, line.opted_out) for line in bill.lines] == [
        ("pos", False), ("shift", True)
    ]  # fmt: skip
    assert bill.total == D("300.00")
    refused = client.post(
        f"/en/co-financing/maintenance/{plan.pk}/opt-out/",
        {"organisation": bloum.pk, "module": shift.pk},
    )
    assert refused.status_code == 403
    bad_cap = client.post(
        f"/en/co-financing/maintenance/{plan.pk}/commit/",
        {"organisation": bees.pk, "cap": "-5", "action": "commit"},
    )
    assert bad_cap.status_code == 400
    assert 'value="-5"' in bad_cap.content.decode()
    client.post(
        f"/en/co-financing/maintenance/{plan.pk}/commit/",
        {"organisation": bees.pk, "cap": "400,00", "action": "commit"},
    )
    commitment = plan.commitments.get()
    assert (commitment.organisation, commitment.cap) == (bees, D("400.00"))


def test_a_facilitator_opens_a_plan_with_a_bundle_spread_over_its_modules(facilitator) -> None:
    for name in ("shift", "pos", "labels"):
        Module.objects.create(technical_name=name)
    OrganisationFactory(name="Coop IT Easy", kind=OrganisationKind.PROVIDER)
    client = logged_in(facilitator)
    form = {
        "title": "Maintenance 2027", "provider": Organisation.objects.get(name="Coop IT Easy").pk,
        "series": "12.0", "starts_on": "2027-01-01", "ends_on": "2027-12-31",
        "modules": "shift 500\npos\nlabels", "bundle": "100,01", "included": "Fixes",
        "split_rule": "equal", "overhead": "5",
        "deadline": (timezone.now() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }  # fmt: skip
    refused = client.post("/en/co-financing/maintenance/new/", {**form, "modules": "nope 10"})
    assert refused.status_code == 400
    assert "Not in the catalogue: nope." in refused.content.decode()
    answer = client.post("/en/co-financing/maintenance/new/", form)
    assert answer.status_code == 302
    from komunigi.funding.models import MaintenancePlan

    plan = MaintenancePlan.objects.get()
    costs = {m.module.technical_name: m.cost for m in plan.modules.select_related("module")}
    assert costs == {"shift": D("500"), "labels": D("50.01"), "pos": D("50.00")}
    assert plan.overhead_rate == D("0.05")


def test_the_api_gives_each_modules_shares_and_bills_summing_to_what_is_raised(
    facilitator,
) -> None:
    from django.test import Client

    bees, claire = member("BEES coop", "shift", "pos")
    bloum, nathalie = member("BLOUM", "shift")
    plan = a_plan(facilitator, {"shift": "100.00", "pos": "50.00"}, overhead_rate=D("0.05"))
    as_facilitator = Client()
    as_facilitator.force_login(facilitator)
    expected = as_facilitator.get(f"/api/v1/maintenance-plans/{plan.pk}").json()
    assert expected["basis"] == "if_everyone_commits"
    assert expected["to_raise"] == "157.50"
    assert [(m["technical_name"], m["cost"]) for m in expected["modules"]] == [
        ("pos", "50.00"), ("shift", "100.00")
    ]  # fmt: skip
    assert sum(D(o["amount"]) for o in expected["organisations"]) == D("157.50")
    # Who runs what is not public while the plan collects: a visitor sees no bill, Claire
    # only BEES coop's, as on the plan's page.
    anonymous = Client().get(f"/api/v1/maintenance-plans/{plan.pk}").json()
    assert anonymous["organisations"] == []
    assert all(m["shares"] == [] for m in anonymous["modules"])
    assert anonymous["to_raise"] == "157.50"
    as_claire = Client()
    as_claire.force_login(claire)
    hers = as_claire.get(f"/api/v1/maintenance-plans/{plan.pk}").json()
    assert [o["organisation"] for o in hers["organisations"]] == [bees.slug]
    assert {s["organisation"] for m in hers["modules"] for s in m["shares"]} == {bees.slug}
    maintenance.commit(plan, bees, actor=claire)
    maintenance.commit(plan, bloum, actor=nathalie)
    maintenance.close_plan(plan, actor=facilitator)
    funded = Client().get(f"/api/v1/maintenance-plans/{plan.pk}").json()
    assert funded["basis"] == "funded"
    assert {o["organisation"]: o["amount"] for o in funded["organisations"]} == {
        bees.slug: "105.00", bloum.slug: "52.50"
    }  # fmt: skip
    listed = Client().get("/api/v1/maintenance-plans").json()
    assert [p["id"] for p in listed["items"]] == [plan.pk]


def test_a_funded_plans_shares_stay_with_members_where_the_instance_keeps_them(
    facilitator, settings
) -> None:
    from django.test import Client

    settings.KOMUNIGI_PUBLIC_SHARES = False
    bees, claire = member("BEES coop", "shift")
    plan = a_plan(facilitator, {"shift": "100.00"})
    maintenance.commit(plan, bees, actor=claire)
    maintenance.close_plan(plan, actor=facilitator)
    assert Client().get(f"/api/v1/maintenance-plans/{plan.pk}").json()["organisations"] == []
    as_claire = Client()
    as_claire.force_login(claire)
    shown = as_claire.get(f"/api/v1/maintenance-plans/{plan.pk}").json()["organisations"]
    assert shown == [{"organisation": bees.slug, "amount": "100.00"}]


def test_the_shares_csv_is_for_facilitators_and_the_provider(facilitator) -> None:
    import csv as csv_module
    import io

    bees, claire = member("BEES coop", "shift")
    plan = a_plan(facilitator, {"shift": "100.00"})
    assert (
        logged_in(facilitator).get(f"/en/co-financing/maintenance/{plan.pk}/shares.csv").status_code
        == 403
    )  # not funded yet
    maintenance.commit(plan, bees, actor=claire)
    maintenance.close_plan(plan, actor=facilitator)
    assert (
        logged_in(claire).get(f"/en/co-financing/maintenance/{plan.pk}/shares.csv").status_code
        == 403
    )
    exported = logged_in(facilitator).get(f"/en/co-financing/maintenance/{plan.pk}/shares.csv")
    rows = list(csv_module.DictReader(io.StringIO(exported.content.decode())))
    assert [(r["organisation"], r["module"], r["share"]) for r in rows] == [
        ("BEES coop", "shift", "100.00")
    ]


def test_the_budget_counts_the_overhead_as_income_and_shows_the_years_maintenance(
    facilitator,
) -> None:
    from komunigi.funding import budget

    bees, claire = member("BEES coop", "shift")
    plan = a_plan(facilitator, {"shift": "1000.00"}, overhead_rate=D("0.05"))
    maintenance.commit(plan, bees, actor=claire)
    maintenance.close_plan(plan, actor=facilitator)
    [year] = budget.years()
    assert year.income["maintenance"] == D("50.00")
    assert year.total_expenses == 0
    [row] = budget.maintenance_by_year()
    assert (row.year, row.plans, row.cost, row.raised) == (2026, 1, D("1000.00"), D("1050.00"))
    page = logged_in(claire).get("/en/co-financing/budget/")
    assert "Overhead of maintenance plans" in page.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_the_plan_page_runs_a_bounded_number_of_queries(
    facilitator, django_assert_num_queries, count: int
) -> None:
    bees, claire = member("BEES coop", *[f"m{n}" for n in range(count)])
    for n in range(count):
        organisation, person = member(f"Coop {n}", *[f"m{k}" for k in range(count)])
    plan = a_plan(facilitator, {f"m{n}": "100.00" for n in range(count)})
    maintenance.commit(plan, bees, actor=claire)
    maintenance.commit(plan, organisation, actor=person)
    client = logged_in(claire)
    # session, user; the plan, its modules; the preview: who runs them, opt-outs, commitments,
    # organisations; the person's organisations, its memberships (may it export the shares?),
    # the commit form's choices (read twice by its select); the meetings it was put to; the
    # plans renewing it
    with django_assert_num_queries(14):
        assert client.get(f"/en/co-financing/maintenance/{plan.pk}/").status_code == 200


def test_after_the_deadline_nothing_is_committed_and_the_cron_closes_the_plan(
    facilitator,
) -> None:
    from django.core.management import call_command

    from komunigi.funding.models import MaintenancePlan

    bees, claire = member("BEES coop", "shift")
    plan = a_plan(facilitator, {"shift": "100.00"})
    maintenance.commit(plan, bees, actor=claire)
    MaintenancePlan.objects.filter(pk=plan.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    with translation.override("en"), pytest.raises(DomainError, match="deadline has passed"):
        maintenance.withdraw_commitment(plan, bees, actor=claire)
    call_command("close_due_campaigns")
    plan.refresh_from_db()
    assert plan.status == MaintenanceStatus.FUNDED
    assert owed(bees) == D("-100.00")


def test_a_renewal_starts_from_the_plan_and_shows_the_changes_side_by_side(facilitator) -> None:
    bees, claire = member("BEES coop", "shift", "pos")
    bloum, nathalie = member("BLOUM", "shift")
    plan = a_plan(facilitator, {"shift": "600.00", "pos": "300.00"})
    maintenance.commit(plan, bees, actor=claire)
    maintenance.commit(plan, bloum, actor=nathalie)
    maintenance.close_plan(plan, actor=facilitator)
    member("Le NID", "shift", "labels")  # runs shift from now on
    client = logged_in(facilitator)
    form = client.get(f"/en/co-financing/maintenance/{plan.pk}/renew/").context["form"]
    assert form.initial["starts_on"] == datetime.date(2027, 1, 1)
    assert form.initial["ends_on"] == datetime.date(2027, 12, 31)
    assert form.initial["modules"] == "pos 300.00\nshift 600.00"
    answer = client.post(
        f"/en/co-financing/maintenance/{plan.pk}/renew/",
        {
            **{k: form.initial[k] for k in ("title", "provider", "series", "included")},
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "modules": "shift 650,00\nlabels 90",
            "split_rule": "equal",
            "overhead": "0",
            "deadline": (timezone.now() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert answer.status_code == 302
    renewal = plan.renewals.get()
    page = client.get(renewal.get_absolute_url())
    changes = {
        c.module.technical_name: (c.kind, c.cost_before, c.cost_now, c.shared_before, c.running_now)
        for c in page.context["changes"]
    }
    assert changes == {
        "labels": ("added", None, D("90.00"), 0, 1),
        "pos": ("removed", D("300.00"), None, 1, 1),
        "shift": ("changed", D("600.00"), D("650.00"), 2, 3),
    }
    assert "Compared with Maintenance 2026" in page.content.decode()
    too_early = client.post(
        f"/en/co-financing/maintenance/{plan.pk}/renew/",
        {**{k: form.initial[k] for k in ("title", "provider", "series", "included")},
         "starts_on": "2025-01-01", "ends_on": "2025-12-31", "modules": "shift 1",
         "split_rule": "equal", "overhead": "0",
         "deadline": (timezone.now() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert too_early.status_code == 400
    assert (
        logged_in(claire).get(f"/en/co-financing/maintenance/{plan.pk}/renew/").status_code == 403
    )
