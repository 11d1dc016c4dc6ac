"""Newcomers to a funded maintenance plan: they bear their part of the days left, the earlier
sharers are credited as much, through the ledger; who stops running a module keeps its share."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from komunigi.commons.models import Installation, Module
from komunigi.community.models import Organisation, OrganisationKind
from komunigi.dates import instance_today
from komunigi.errors import DomainError
from komunigi.funding import ledger
from komunigi.funding.models import MaintenanceStatus, TransactionKind
from komunigi.funding.services import maintenance, maintenance_joins
from komunigi.funding.tests.test_maintenance import logged_in, member, owed
from komunigi.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = instance_today()


def year_plan(facilitator, costs: dict[str, str], *, days_gone: int = 219, **options):
    """A 365-day plan open for commitments, ``days_gone`` days into its period: by default
    146 days are left (40 %)."""
    provider = Organisation.objects.filter(
        name="Coop IT Easy"
    ).first() or Organisation.objects.create(
        name="Coop IT Easy", slug="coop-it-easy", kind=OrganisationKind.PROVIDER
    )
    starts_on = TODAY - datetime.timedelta(days=days_gone)
    plan = maintenance.open_plan(
        actor=facilitator,
        title="Maintenance",
        provider=provider,
        series="12.0",
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=364),
        deadline=timezone.now() + datetime.timedelta(days=1),
        included="Security fixes",
        costs={Module.objects.get_or_create(technical_name=n)[0]: D(c) for n, c in costs.items()},
        **options,
    )
    return plan


def commit_all_and_close(plan, facilitator, *members) -> None:
    for organisation, person in members:
        maintenance.commit(plan, organisation, actor=person)
    assert maintenance.close_plan(plan, actor=facilitator).status == MaintenanceStatus.FUNDED


def shares_of(plan, module: str) -> dict[str, Decimal]:
    return {
        s.organisation.name: s.amount
        for s in plan.shares.filter(module__technical_name=module).select_related("organisation")
    }


def test_a_newcomer_pays_for_the_days_left_and_the_earlier_sharers_are_credited(
    facilitator,
) -> None:
    bees = member("BEES coop", "shift", "pos")
    bloum = member("BLOUM", "shift")
    plan = year_plan(facilitator, {"shift": "730.00", "pos": "100.00"})
    commit_all_and_close(plan, facilitator, bees, bloum)
    nid, _person = member("Le NID", "shift")

    joined = maintenance_joins.join(
        plan,
        nid,
        Module.objects.get(technical_name="shift"),
        actor=facilitator,
        joined_on=TODAY,
    )

    # 146 of 365 days are left: 146 € of each 365 € share, shared again by three (the
    # cent left over goes to one of them, by the engine's order of keys).
    assert joined.catch_up in (D("97.33"), D("97.34"))
    assert owed(nid) == -joined.catch_up
    credits = [owed(bees[0]) + D("465.00"), owed(bloum[0]) + D("365.00")]  # BEES: pos too
    assert sum(credits) == joined.catch_up
    assert all(credit in (D("48.66"), D("48.67")) for credit in credits)
    shares = shares_of(plan, "shift")  # the shares say what the ledger says
    assert shares["Le NID"] == joined.catch_up
    assert [shares["BEES coop"], shares["BLOUM"]] == [D("365.00") - c for c in credits]
    assert sum(shares_of(plan, "shift").values()) == D("730.00")
    assert shares_of(plan, "pos") == {"BEES coop": D("100.00")}  # another module: untouched
    assert joined.transaction.kind == TransactionKind.MAINTENANCE_JOINED
    assert ledger.total_of_all_lines() == 0
    assert maintenance_joins.newcomers(plan) == []


def test_a_second_newcomer_splits_the_days_left_after_the_first_again(facilitator) -> None:
    bees = member("BEES coop", "shift")
    plan = year_plan(facilitator, {"shift": "365.00"}, days_gone=265)  # 100 days left
    commit_all_and_close(plan, facilitator, bees)
    shift = Module.objects.get(technical_name="shift")
    bloum, _ = member("BLOUM", "shift")
    maintenance_joins.join(
        plan, bloum, shift, actor=facilitator, joined_on=TODAY - datetime.timedelta(days=50)
    )  # 150 days left: 150 € shared by two
    nid, _ = member("Le NID", "shift")
    with pytest.raises(DomainError):  # before the last newcomer: its split would change
        maintenance_joins.join(
            plan, nid, shift, actor=facilitator, joined_on=TODAY - datetime.timedelta(days=51)
        )
    maintenance_joins.join(plan, nid, shift, actor=facilitator, joined_on=TODAY)
    # 100 of those 150 days are left: BEES's and BLOUM's 50 € each, shared by three.
    shares = shares_of(plan, "shift")
    credits = [D("290.00") - shares["BEES coop"], D("75.00") - shares["BLOUM"]]
    assert shares["Le NID"] == sum(credits)
    assert shares["Le NID"] in (D("33.33"), D("33.34"))
    assert all(credit in (D("16.66"), D("16.67")) for credit in credits)
    assert sum(shares.values()) == D("365.00")
    assert ledger.total_of_all_lines() == 0


def test_a_premium_goes_to_the_fund_and_is_not_credited(facilitator) -> None:
    bees = member("BEES coop", "shift")
    plan = year_plan(facilitator, {"shift": "730.00"})
    commit_all_and_close(plan, facilitator, bees)
    nid, _ = member("Le NID", "shift")
    fund_before = ledger.balance(ledger.fund())
    joined = maintenance_joins.join(
        plan,
        nid,
        Module.objects.get(technical_name="shift"),
        actor=facilitator,
        joined_on=TODAY,
        premium_rate=D("0.10"),
    )
    assert (joined.catch_up, joined.premium) == (D("146.00"), D("14.60"))
    assert owed(nid) == D("-160.60")
    assert owed(bees[0]) == D("-730.00") + D("146.00")
    assert ledger.balance(ledger.fund()) - fund_before == D("14.60")


def test_who_stops_running_a_module_keeps_its_share_for_the_period(facilitator) -> None:
    bees = member("BEES coop", "shift")
    bloum = member("BLOUM", "shift")
    plan = year_plan(facilitator, {"shift": "600.00"})
    commit_all_and_close(plan, facilitator, bees, bloum)
    Installation.objects.filter(organisation=bloum[0]).delete()
    assert shares_of(plan, "shift") == {"BEES coop": D("300.00"), "BLOUM": D("300.00")}
    assert owed(bloum[0]) == D("-300.00")
    with translation.override("en"):
        page = maintenance_page(plan)
    assert "An organisation that stops running a module keeps its share" in page


def maintenance_page(plan) -> str:
    from django.test import Client

    return Client().get(f"/en/co-financing/maintenance/{plan.pk}/").content.decode()


def test_newcomers_that_cannot_join_are_refused_and_nothing_moves(
    facilitator, representative
) -> None:
    bees = member("Superquinquin", "shift")
    bloum = member("BLOUM", "shift", "pos")
    plan = year_plan(facilitator, {"shift": "600.00", "pos": "50.00"})
    shift, pos = (
        Module.objects.get(technical_name="shift"),
        Module.objects.get(technical_name="pos"),
    )
    nid, _ = member("Le NID", "shift")
    with pytest.raises(DomainError):  # not funded yet
        maintenance_joins.join(plan, nid, shift, actor=facilitator, joined_on=TODAY)
    commit_all_and_close(plan, facilitator, bees, bloum)
    lines = ledger.total_of_all_lines(), plan.shares.count()
    refused = [
        (nid, shift, TODAY + datetime.timedelta(days=1)),  # a day that has not come
        (nid, shift, plan.starts_on - datetime.timedelta(days=1)),  # before the period
        (nid, pos, TODAY),  # does not run it
        (bees[0], shift, TODAY),  # shares it already
    ]
    for organisation, module, day in refused:
        with pytest.raises(DomainError):
            maintenance_joins.join(plan, organisation, module, actor=facilitator, joined_on=day)
    with pytest.raises(PermissionDenied):
        maintenance_joins.join(plan, nid, shift, actor=representative, joined_on=TODAY)
    assert (ledger.total_of_all_lines(), plan.shares.count()) == lines
    assert owed(nid) == 0


def test_an_organisation_that_opted_a_module_out_does_not_join_it(facilitator) -> None:
    bees = member("BEES coop", "shift")
    bloum = member("BLOUM", "shift")
    plan = year_plan(facilitator, {"shift": "600.00"})
    shift = Module.objects.get(technical_name="shift")
    maintenance.opt_out(plan, bloum[0], shift, actor=bloum[1], back=False)
    commit_all_and_close(plan, facilitator, bees)
    assert maintenance_joins.newcomers(plan) == []
    with pytest.raises(DomainError):
        maintenance_joins.join(plan, bloum[0], shift, actor=facilitator, joined_on=TODAY)


def test_the_newcomer_hears_its_share_and_the_earlier_sharers_their_credit(
    facilitator, django_capture_on_commit_callbacks
) -> None:
    bees = member("BEES coop", "shift")
    plan = year_plan(facilitator, {"shift": "730.00"})
    commit_all_and_close(plan, facilitator, bees)
    nid, nid_person = member("Le NID", "shift")
    OutboxMessage.objects.all().delete()
    maintenance_joins.join(
        plan, nid, Module.objects.get(technical_name="shift"), actor=facilitator, joined_on=TODAY
    )
    subjects = {m.to: m.subject for m in OutboxMessage.objects.all()}
    assert "146,00" in subjects[nid_person.email]  # French by default
    assert "shift" in subjects[bees[1].email]
    assert "146,00" in subjects[bees[1].email]


def test_a_facilitator_records_a_newcomer_on_the_plan_page(facilitator) -> None:
    bees = member("BEES coop", "shift")
    plan = year_plan(facilitator, {"shift": "730.00"})
    commit_all_and_close(plan, facilitator, bees)
    nid, nid_person = member("Le NID", "shift")
    shift = Module.objects.get(technical_name="shift")
    client = logged_in(facilitator)
    page = client.get(f"/en/co-financing/maintenance/{plan.pk}/")
    assert [n.organisation for n in page.context["join_form"].newcomers.values()] == [nid]
    url = f"/en/co-financing/maintenance/{plan.pk}/join/"

    # A day that has not come: refused, nothing moves, what was typed stays.
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    refused = client.post(url, {"newcomer": f"{nid.pk}-{shift.pk}", "joined_on": tomorrow})
    assert refused.status_code == 400
    assert "not a future one" in refused.content.decode()
    assert f'value="{tomorrow}"' in refused.content.decode()
    assert owed(nid) == 0

    # Someone else's organisation cannot be made to pay.
    assert (
        logged_in(nid_person)
        .post(url, {"newcomer": f"{nid.pk}-{shift.pk}", "joined_on": TODAY.isoformat()})
        .status_code
        == 403
    )
    assert owed(nid) == 0

    done = client.post(
        url, {"newcomer": f"{nid.pk}-{shift.pk}", "joined_on": TODAY.isoformat()}, follow=True
    )
    assert "Le NID shares shift from now on: €146.00 for the days left." in done.content.decode()
    assert "Le NID runs shift since" in done.content.decode()
    assert owed(nid) == D("-146.00")
    assert [row[0] for row in done.context["sharing"]] == [bees[0], nid]


@pytest.mark.parametrize("count", [1, 4])
def test_a_funded_plan_page_runs_a_bounded_number_of_queries(
    facilitator, django_assert_num_queries, count: int
) -> None:
    members = [member(f"Coop {n}", *[f"m{k}" for k in range(count)]) for n in range(count + 1)]
    plan = year_plan(facilitator, {f"m{k}": "100.00" for k in range(count)})
    commit_all_and_close(plan, facilitator, *members)
    for n in range(count):
        newcomer, _ = member(f"New {n}", *[f"m{k}" for k in range(count)])
        maintenance_joins.join(
            plan, newcomer, Module.objects.get(technical_name="m0"), actor=facilitator,
            joined_on=TODAY,
        )  # fmt: skip
    client = logged_in(facilitator)
    # session, user; the plan, its modules; who runs them, the shares, the commitments (a
    # funded plan reads its shares, it does not split again); the meetings it was put to; the
    # plans renewing it; who shares it, the newcomers, and who may join: the modules, the
    # shares, opt-outs, who runs them
    with django_assert_num_queries(15):
        assert client.get(f"/en/co-financing/maintenance/{plan.pk}/").status_code == 200


def test_the_api_gives_the_shares_with_the_newcomers_still_summing_to_what_was_raised(
    facilitator,
) -> None:
    from django.test import Client

    bees = member("BEES coop", "shift")
    plan = year_plan(facilitator, {"shift": "730.00"}, overhead_rate=D("0.05"))
    commit_all_and_close(plan, facilitator, bees)
    nid, _ = member("Le NID", "shift")
    maintenance_joins.join(
        plan, nid, Module.objects.get(technical_name="shift"), actor=facilitator,
        joined_on=TODAY, premium_rate=D("0.10"),
    )  # fmt: skip
    found = Client().get(f"/api/v1/maintenance-plans/{plan.pk}").json()
    [module] = found["modules"]
    assert sum(D(line["amount"]) for line in module["shares"]) == D("766.50")  # 730 and 5 %
    assert sum(D(line["amount"]) for line in found["organisations"]) == D(found["to_raise"])
    assert found["newcomers"] == [
        {
            "organisation": nid.slug,
            "module": "shift",
            "joined_on": TODAY.isoformat(),
            "catch_up": "153.30",  # 146 of 365 days of 766.50
            "premium": "15.33",
        }
    ]
