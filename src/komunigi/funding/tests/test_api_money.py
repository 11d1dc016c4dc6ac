"""The community's money in the API: the budget, the history, a statement, the fees and the
ledger, each to whom its page shows it, with the page's own figures, and their CSV files."""

import csv
import datetime
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import translation
from pytest_django import Settings

from komunigi.community.models import Organisation, Role, User
from komunigi.community.services import create_api_token
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.dates import instance_today
from komunigi.funding import exports, fees, ledger, services
from komunigi.funding.models import Fee, FeeTier, LedgerLine, LedgerTransaction, TransactionKind
from komunigi.funding.tests.test_late_joiners import funded
from komunigi.funding.tests.test_page_queries import community_with

D = Decimal
pytestmark = pytest.mark.django_db
API = "/api/v1"
FORMULA = '=HYPERLINK("https://evil.example")'


def logged_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def anonymous() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def with_token(user: User) -> Client:
    _token, raw = create_api_token(user, name="script")
    return Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {raw}")


def read_csv(response) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


class Community:
    """Two funded campaigns, payments, a late joiner, the fund's own entries, a sponsorship
    and a year's fees; BEES coop with a member, BLOUM with its representative. BEES coop
    bears 157.50, is credited 52.50 when the late joiner comes, pays 100.00 of it, owes a fee
    of 300.00 and pays 100.00 of that."""

    def __init__(self, facilitator: User) -> None:
        today = instance_today()
        self.campaign, people = funded(
            facilitator, "300.00", ["BEES coop", "BLOUM"], overhead_rate=D("0.05")
        )
        (self.bees, _), (self.bloum, self.bloum_person) = people
        self.other_campaign, _ = funded(
            facilitator,
            "1000.00",
            ["Le NID", "Coopéco", "La Louve"],
            community_contribution=D("100"),
        )
        newcomer = OrganisationFactory(name="Oscar's coop")
        services.grant_sponsorship(
            newcomer, actor=facilitator, percentage=D("50"), starts_on=today,
            ends_on=today + datetime.timedelta(days=30),
        )  # fmt: skip
        services.add_late_joiner(self.campaign, newcomer, actor=facilitator)
        services.record_payment(
            self.campaign, self.bees, D("100.00"), actor=facilitator, date=today,
            reference="-1 transfer",
        )  # fmt: skip
        services.record_fund_entry(
            "subsidy", D("2000.00"), actor=facilitator, date=datetime.date(2025, 3, 1),
            description=FORMULA,
        )  # fmt: skip
        self.mistake = services.record_fund_entry(
            "expense", D("90.00"), actor=facilitator, date=today, description="Coordination",
            category="coordination",
        )  # fmt: skip
        services.reverse_transaction(self.mistake, actor=facilitator, reason="@typed twice")
        FeeTier.objects.create(name="Active", monthly_amount=D("25.00"), is_default=True)
        issued = {fee.organisation: fee for fee in fees.issue_fees(today.year, actor=facilitator)}
        fees.record_fee_payment(issued[self.bees], D("100.00"), actor=facilitator, date=today)
        self.member = MembershipFactory(organisation=self.bees, role=Role.MEMBER).user


@pytest.fixture
def community(facilitator: User) -> Community:
    return Community(facilitator)


# The budget --------------------------------------------------------------------------------


def budget_on_the_page(page) -> dict:
    """The budget page's figures, as the API's answer should give them."""
    return {
        "balance": str(page["balance"]),
        "years": [
            (
                year.year,
                [(str(label), str(amount)) for label, amount in year.income_lines],
                [(str(label), str(amount)) for label, amount in year.expense_lines],
                str(year.total_income),
                str(year.total_expenses),
            )
            for year in page["years"]
        ],
        "contributions": [(c.campaign.pk, str(c.amount)) for c in page["contributions"]],
        "sponsorships": [(s.organisation.slug, str(cost)) for s, cost in page["sponsorships"]],
        "tiers": [(t.name, str(t.monthly_amount)) for t in page["tiers"]],
    }


def test_the_budget_is_public_with_the_pages_figures(community: Community, outsider: User) -> None:
    page = anonymous().get("/en/co-financing/budget/").context
    with translation.override("en"):
        expected = budget_on_the_page(page)
    for client in (anonymous(), logged_in(community.member), logged_in(outsider)):
        answer = client.get(f"{API}/funding/budget")
        assert answer.status_code == 200
        data = answer.json()
        assert {
            "balance": data["balance"],
            "years": [
                (
                    y["year"],
                    [(line["label"], line["amount"]) for line in y["income"]],
                    [(line["label"], line["amount"]) for line in y["expenses"]],
                    y["total_income"],
                    y["total_expenses"],
                )
                for y in data["years"]
            ],
            "contributions": [(c["campaign"], c["amount"]) for c in data["contributions"]],
            "sponsorships": [(s["organisation"], s["cost"]) for s in data["sponsorships"]],
            "tiers": [(t["name"], t["monthly_amount"]) for t in data["fee_tiers"]],
        } == expected
    assert data["currency"] == "EUR"
    assert [c["amount"] for c in data["contributions"]] == ["100.00"]
    this_year = data["years"][0]
    assert [line["source"] for line in this_year["income"]] == [
        "fees", "overhead", "maintenance", "subsidies", "premiums",
    ]  # fmt: skip


def test_the_budget_csv_sums_to_the_pages_totals(community: Community) -> None:
    page = anonymous().get("/en/co-financing/budget/").context
    response = anonymous().get(f"{API}/funding/budget.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="budget-{instance_today()}.csv"'
    )
    rows = read_csv(response)
    totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[int(row["year"]), row["side"]] += D(row["amount"])
    assert totals == {
        **{(y.year, "income"): y.total_income for y in page["years"]},
        **{(y.year, "expense"): y.total_expenses for y in page["years"]},
    }
    income = sum(D(r["amount"]) for r in rows if r["side"] == "income")
    expenses = sum(D(r["amount"]) for r in rows if r["side"] == "expense")
    assert income - expenses == page["balance"]
    assert rows[0] == {
        "year": str(instance_today().year), "side": "income", "source": "fees",
        "label": "Membership fees", "amount": str(page["years"][0].income["fees"]),
        "currency": "EUR",
    }  # fmt: skip
    assert [(r["year"], r["amount"]) for r in rows if r["source"] == "subsidies"] == [
        (str(instance_today().year), "0.00"),
        ("2025", "2000.00"),
    ]


# The co-financing history ------------------------------------------------------------------


def shares_on_the_page(client: Client) -> list[tuple[int, list[tuple[str, str]], int]]:
    page = client.get("/en/co-financing/history/").context
    return [
        (c.pk, [(n, str(a)) for n, a in shares], count) for c, shares, count in page["campaigns"]
    ]


def test_the_history_shows_who_bears_what_as_the_page(
    community: Community, outsider: User, settings: Settings
) -> None:
    for client in (anonymous(), logged_in(community.member), logged_in(outsider)):
        data = client.get(f"{API}/funding/history").json()
        assert data["count"] == 2
        assert [
            (c["id"], [(s["organisation"], s["amount"]) for s in c["shares"]], c["supermarkets"])
            for c in data["items"]
        ] == shares_on_the_page(client)
    latest = data["items"][0]
    assert (latest["id"], latest["cost"], latest["raised"]) == (
        community.other_campaign.pk, "1000.00", "900.00",
    )  # fmt: skip
    second = anonymous().get(f"{API}/funding/history?page=2&page_size=1").json()
    assert (second["count"], [c["id"] for c in second["items"]]) == (2, [community.campaign.pk])

    settings.KOMUNIGI_PUBLIC_SHARES = False
    hidden = anonymous().get(f"{API}/funding/history").json()["items"][1]["shares"]
    assert hidden == [
        {"organisation": "BEES coop", "amount": None},
        {"organisation": "BLOUM", "amount": None},
        {"organisation": "Oscar's coop", "amount": None},
    ]
    shown = logged_in(community.member).get(f"{API}/funding/history").json()
    assert [s["amount"] for s in shown["items"][1]["shares"]] == ["105.00", "105.00", "105.00"]
    outsiders = logged_in(outsider).get(f"{API}/funding/history").json()
    assert outsiders["items"][1]["shares"][0]["amount"] is None


@pytest.mark.parametrize("count", [1, 3])
def test_the_history_runs_a_bounded_number_of_queries(
    facilitator: User, django_assert_num_queries, count: int
) -> None:
    community_with(count, facilitator)
    # how many funded campaigns, a page of them; how many share each, the first of them
    # with what they bear, late joiners without a line
    with django_assert_num_queries(5):
        assert anonymous().get(f"{API}/funding/history").json()["count"] == count
    with django_assert_num_queries(4):  # the funded campaigns, then their payers
        rows = read_csv(anonymous().get(f"{API}/funding/history.csv"))
    assert len(rows) == count * (count + 1)  # every supermarket and a late joiner, each


def test_the_history_csv_lists_every_share(community: Community, settings: Settings) -> None:
    response = anonymous().get(f"{API}/funding/history.csv")
    rows = read_csv(response)
    assert response["Content-Disposition"] == (
        f'attachment; filename="co-financing-history-{instance_today()}.csv"'
    )
    borne: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        borne[int(row["campaign"])] += D(row["share"])
    on_the_page = {
        pk: sum(D(a) for _, a in shares) for pk, shares, _ in shares_on_the_page(anonymous())
    }
    assert borne == on_the_page
    # 315 raised (300 and 5 % overhead), shared by two at the close, by three since the late
    # joiner came
    assert borne[community.campaign.pk] == D("315.00")
    assert rows[0] == {
        "campaign": str(community.other_campaign.pk),
        "title": community.other_campaign.need.title,
        "provider": community.other_campaign.quote.provider.name,
        "closed_at": community.other_campaign.closed_at.isoformat(timespec="seconds"),
        "cost": "1000.00", "raised": "900.00", "supermarkets": "3", "organisation": "Coopéco",
        "share": "300.00", "currency": "EUR",
    }  # fmt: skip

    settings.KOMUNIGI_PUBLIC_SHARES = False
    hidden = read_csv(anonymous().get(f"{API}/funding/history.csv"))
    assert ({r["share"] for r in hidden}, len(hidden)) == ({""}, len(rows))


# An organisation's statement ---------------------------------------------------------------


def test_a_statement_is_for_its_own_people_and_the_facilitators(
    community: Community, outsider: User, facilitator: User
) -> None:
    address = f"{API}/organisations/{community.bees.slug}/statement"
    for client in (
        logged_in(community.member),
        with_token(community.member),
        logged_in(facilitator),
    ):
        assert client.get(address).status_code == 200
        assert client.get(f"{address}.csv").status_code == 200
    with translation.override("en"):
        for client in (logged_in(community.bloum_person), logged_in(outsider)):
            for refused in (client.get(address), client.get(f"{address}.csv")):
                assert (refused.status_code, refused.json()) == (404, {"detail": "Not found."})
        # as if it did not exist
        missing = logged_in(outsider).get(f"{API}/organisations/nobody/statement")
        assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
    for refused in (anonymous().get(address), anonymous().get(f"{address}.csv")):
        assert refused.status_code == 401


def test_a_statement_holds_the_pages_entries_and_balance(community: Community) -> None:
    client = logged_in(community.member)
    page = client.get(f"/en/co-financing/statements/{community.bees.slug}/").context
    data = client.get(f"{API}/organisations/{community.bees.slug}/statement").json()
    assert (data["organisation"], data["name"], data["currency"]) == (
        community.bees.slug, "BEES coop", "EUR",
    )  # fmt: skip
    assert data["balance"] == str(page["balance"])
    assert [(e["date"], e["kind"], e["description"], e["amount"], e["balance"])
            for e in data["entries"]] == [
        (e.date.isoformat(), e.kind, e.description, str(e.amount), str(e.balance))
        for e in page["entries"]
    ]  # fmt: skip
    assert (data["balance"], data["due"], data["paid"], data["count"]) == (
        "-205.00", "205.00", "200.00", 5,
    )  # fmt: skip
    paid = data["entries"][2]
    assert (paid["reference"], paid["campaign"], paid["amount"], paid["balance"]) == (
        "-1 transfer", community.campaign.pk, "100.00", "-5.00",
    )  # fmt: skip
    past = client.get(f"{API}/organisations/{community.bees.slug}/statement?page=2").json()
    assert (past["entries"], past["count"], past["balance"]) == ([], 5, "-205.00")


def test_a_statement_csv_runs_to_the_pages_balance(community: Community) -> None:
    client = logged_in(community.member)
    page = client.get(f"/en/co-financing/statements/{community.bees.slug}/").context
    response = client.get(f"{API}/organisations/{community.bees.slug}/statement.csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="statement-{community.bees.slug}-{instance_today()}.csv"'
    )
    rows = read_csv(response)
    assert sum(D(r["amount"]) for r in rows) == page["balance"]
    assert rows[-1]["balance"] == str(page["balance"])  # oldest first: the last is today's
    assert [(r["kind"], r["amount"], r["balance"]) for r in rows] == [
        ("campaign_funded", "-157.50", "-157.50"),  # an amount stays a number
        ("late_joiner", "52.50", "-105.00"),
        ("payment_received", "100.00", "-5.00"),
        ("fee", "-300.00", "-305.00"),
        ("payment_received", "100.00", "-205.00"),
    ]
    assert (rows[2]["entry"], rows[2]["campaign"]) == (
        "Payment received",
        str(community.campaign.pk),
    )
    assert rows[2]["reference"] == "'-1 transfer"  # no formula for a spreadsheet


# Membership fees ---------------------------------------------------------------------------


def test_the_fees_are_for_the_facilitators(
    community: Community, outsider: User, facilitator: User
) -> None:
    year = instance_today().year
    page = logged_in(facilitator).get(f"/en/co-financing/fees/?year={year}").context
    data = with_token(facilitator).get(f"{API}/funding/fees?year={year}").json()
    assert (data["year"], data["due"], data["count"]) == (year, str(page["due"]), len(page["rows"]))
    assert [
        (f["organisation"], f["tier"], f["amount"], f["paid"], f["due"]) for f in data["items"]
    ] == [
        (r.fee.organisation.slug, r.fee.tier.name, str(r.fee.amount), str(r.paid), str(r.due))
        for r in page["rows"]
    ]  # fmt: skip
    paid = {f["organisation"]: f["paid"] for f in data["items"] if f["paid"] != "0.00"}
    assert paid == {community.bees.slug: "100.00"}
    assert [t["yearly_amount"] for t in data["tiers"]] == ["300.00"]
    rows = read_csv(logged_in(facilitator).get(f"{API}/funding/fees.csv?year={year}"))
    assert sum(D(r["due"]) for r in rows) == page["due"]
    assert sum(D(r["paid"]) for r in rows) == D("100.00")
    assert logged_in(facilitator).get(f"{API}/funding/fees?year={year - 1}").json()["items"] == []

    with translation.override("en"):
        for person in (community.member, community.bloum_person, outsider):
            assert logged_in(person).get("/en/co-financing/fees/").status_code == 403
            for refused in (
                logged_in(person).get(f"{API}/funding/fees"),
                with_token(person).get(f"{API}/funding/fees.csv"),
            ):
                assert (refused.status_code, refused.json()) == (
                    403, {"detail": "You may not do this."},
                )  # fmt: skip
    assert anonymous().get(f"{API}/funding/fees").status_code == 401
    assert logged_in(facilitator).get(f"{API}/funding/fees?year=1999").status_code == 422


# The ledger --------------------------------------------------------------------------------


def test_the_ledger_csv_is_for_the_facilitators(
    community: Community, outsider: User, facilitator: User
) -> None:
    response = logged_in(facilitator).get(f"{API}/funding/ledger.csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="ledger-{instance_today()}.csv"'
    )
    rows = read_csv(response)
    assert len(rows) == LedgerLine.objects.count()
    assert sum(D(r["amount"]) for r in rows) == 0
    by_transaction: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        by_transaction[row["transaction"]] += D(row["amount"])
    assert set(by_transaction.values()) == {D(0)}
    assert len(by_transaction) == LedgerTransaction.objects.count()
    subsidy = next(r for r in rows if r["kind"] == TransactionKind.SUBSIDY)
    assert (subsidy["date"], subsidy["description"]) == ("2025-03-01", "'" + FORMULA)
    reversal = next(r for r in rows if r["kind"] == TransactionKind.REVERSAL)
    assert reversal["description"] == "'@typed twice"
    assert reversal["reverses"] == str(community.mistake.pk)
    bees_lines = [r for r in rows if r["organisation"] == community.bees.slug]
    assert sum(D(r["amount"]) for r in bees_lines) == D("-205.00")

    with translation.override("en"):
        for person in (community.member, community.bloum_person, outsider):
            refused = with_token(person).get(f"{API}/funding/ledger.csv")
            assert refused.status_code == 403
            assert refused.json() == {"detail": "You may not do this."}
    assert anonymous().get(f"{API}/funding/ledger.csv").status_code == 401


@pytest.mark.parametrize("count", [1, 3])
def test_the_csv_files_run_a_bounded_number_of_queries(
    facilitator: User, django_assert_num_queries, count: int
) -> None:
    people = community_with(count, facilitator)
    client = logged_in(facilitator)
    with django_assert_num_queries(3):  # session, user; every line with its transaction
        rows = read_csv(client.get(f"{API}/funding/ledger.csv"))
    assert len(rows) == LedgerLine.objects.count() > 10 * count
    # session, user, the organisation; its lines with their transactions
    with django_assert_num_queries(4):
        read_csv(client.get(f"{API}/organisations/{people[0][0].slug}/statement.csv"))
    with django_assert_num_queries(4):  # session, user; the year's fees, their payments
        rows = read_csv(client.get(f"{API}/funding/fees.csv"))
    assert len(rows) == Fee.objects.count() > count
    # the fund's account, its lines by year and source
    with django_assert_num_queries(2):
        read_csv(anonymous().get(f"{API}/funding/budget.csv"))


@pytest.mark.parametrize("count", [1, 3])
def test_the_json_answers_run_a_bounded_number_of_queries(
    facilitator: User, django_assert_num_queries, count: int
) -> None:
    people = community_with(count, facilitator)
    client = logged_in(facilitator)
    # the fund's account, its balance, its lines by year and source, its contributions, the
    # maintenance plans by year, sponsorships and what each cost, the fee schedule
    with django_assert_num_queries(8):
        assert anonymous().get(f"{API}/funding/budget").status_code == 200
    # session, user, the organisation; its balance, how many entries, a page of them, what
    # it paid
    with django_assert_num_queries(7):
        client.get(f"{API}/organisations/{people[0][0].slug}/statement")
    # session, user; how many fees, a page of them, their payments; what is due (fees,
    # payments); the schedule
    with django_assert_num_queries(8):
        answer = client.get(f"{API}/funding/fees").json()
    assert answer["count"] == len(answer["items"]) == Fee.objects.count() > count


# The pages link to their CSV files ---------------------------------------------------------


def test_the_money_pages_link_to_their_csv_files(community: Community, facilitator: User) -> None:
    def links(client: Client, address: str) -> str:
        return client.get(address).content.decode()

    assert f'href="{API}/funding/budget.csv"' in links(anonymous(), "/en/co-financing/budget/")
    assert f'href="{API}/funding/ledger.csv"' not in links(anonymous(), "/en/co-financing/budget/")
    assert f'href="{API}/funding/ledger.csv"' in links(
        logged_in(facilitator), "/en/co-financing/budget/"
    )
    assert f'href="{API}/funding/history.csv"' in links(anonymous(), "/en/co-financing/history/")
    statement = links(
        logged_in(community.member), f"/en/co-financing/statements/{community.bees.slug}/"
    )
    assert f'href="{API}/organisations/{community.bees.slug}/statement.csv"' in statement
    year = instance_today().year
    fees_page = links(logged_in(facilitator), "/en/co-financing/fees/")
    assert f'href="{API}/funding/fees.csv?year={year}"' in fees_page


def test_a_free_text_never_starts_a_formula() -> None:
    assert [exports.text(t) for t in ("=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "BEES coop")] == [
        "'=1+1", "'+33 6", "'-2", "'@SUM(A1)", "'\tx", "BEES coop",
    ]  # fmt: skip


def test_an_organisation_without_entries_has_an_empty_statement(db: None) -> None:
    newcomer: Organisation = OrganisationFactory(slug="newcomer")
    member = MembershipFactory(organisation=newcomer).user
    data = logged_in(member).get(f"{API}/organisations/newcomer/statement").json()
    assert (data["balance"], data["due"], data["paid"], data["entries"]) == (
        "0.00", "0.00", "0.00", [],
    )  # fmt: skip
    assert read_csv(logged_in(member).get(f"{API}/organisations/newcomer/statement.csv")) == []
    assert ledger.total_of_all_lines() == 0
