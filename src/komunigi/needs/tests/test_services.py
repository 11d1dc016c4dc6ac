import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from komunigi.audit.models import AuditEvent
from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from komunigi.errors import DomainError
from komunigi.needs import services
from komunigi.needs.models import (
    EstimateStatus,
    Interest,
    Need,
    QuoteStatus,
    Tag,
)
from komunigi.needs.tests.factories import InterestFactory, NeedFactory, QuoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def new_need(representative: User, *, publish: bool) -> Need:
    return services.create_need(
        author=representative,
        organisation=representative.memberships.get().organisation,
        title="  Shift exchange  ",
        problem="Members cannot swap shifts.",
        expected_outcome="They swap them online.",
        tags=["Shifts", "shifts", "Member space"],
        odoo_series="12.0",
        publish=publish,
    )


def test_a_draft_is_created_with_its_tags_and_no_interest(representative: User) -> None:
    need = new_need(representative, publish=False)
    assert (need.title, need.status) == ("Shift exchange", "draft")
    assert sorted(t.slug for t in need.tags.all()) == ["member-space", "shifts"]
    assert Tag.objects.count() == 2
    assert need.interests.count() == 0


def test_publishing_adds_the_proposing_supermarkets_interest_and_records_the_move(
    representative: User,
) -> None:
    need = new_need(representative, publish=True)
    assert need.status == "open"
    [interest] = need.interests.all()
    assert (interest.organisation.slug, interest.priority) == ("bees-coop", "must")
    event = AuditEvent.objects.get(action="needs.need.status_changed")
    assert (event.actor, event.data) == (
        representative,
        {"from": "draft", "to": "open", "reason": "", "why": ""},
    )


def test_an_illegal_transition_is_refused_with_a_clear_message(facilitator: User) -> None:
    need = NeedFactory(status="open")
    with pytest.raises(DomainError) as raised:
        services.change_status(need, "funded", actor=facilitator)
    assert raised.value.message == "A need that is “Open” cannot become “Funded”."
    need.refresh_from_db()
    assert need.status == "open"


def test_status_change_keeps_the_reason_and_the_time(facilitator: User) -> None:
    need = NeedFactory(status="postponed")
    before = timezone.now()
    need = services.change_status(need, "open", actor=facilitator, reason="Next month")
    assert need.status_changed_at >= before
    assert AuditEvent.objects.get().data == {
        "from": "postponed",
        "to": "open",
        "reason": "Next month",
        "why": "",
    }


def test_interest_is_one_per_supermarket_and_can_be_changed_and_withdrawn(
    representative: User,
) -> None:
    need = NeedFactory()
    bees = representative.memberships.get().organisation
    services.express_interest(need, bees, actor=representative, priority="could", comment="")
    services.express_interest(need, bees, actor=representative, priority="must", comment="Yes")
    interest = Interest.objects.get()
    assert (interest.priority, interest.comment) == ("must", "Yes")
    services.withdraw_interest(need, bees, actor=representative)
    assert Interest.objects.count() == 0


def test_interest_is_refused_once_the_need_is_closed(representative: User) -> None:
    need = NeedFactory(status="closed")
    with pytest.raises(DomainError):
        services.express_interest(
            need, representative.memberships.get().organisation, actor=representative,
            priority="must", comment="",
        )  # fmt: skip


def test_a_comment_mails_the_author_and_interested_representatives_but_not_the_commenter(
    representative: User, django_capture_on_commit_callbacks
) -> None:
    author = UserFactory(email="author@example.org", language="en")
    need = NeedFactory(author=author, title="Labels")
    other = OrganisationFactory(slug="bloum")
    other_rep = MembershipFactory(
        organisation=other,
        role=Role.REPRESENTATIVE,
        user=UserFactory(email="bloum-rep@example.org", language="de"),
    ).user
    MembershipFactory(organisation=other, user=UserFactory(email="bloum-member@example.org"))
    InterestFactory(need=need, organisation=other)
    InterestFactory(need=need, organisation=representative.memberships.get().organisation)

    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(need, author=representative, body="We need **barcodes** too.")

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["author@example.org", "bloum-rep@example.org"]
    assert by_recipient["author@example.org"].subject == f"New comment on #{need.pk} Labels"
    assert "We need **barcodes** too." in by_recipient["bloum-rep@example.org"].body
    assert by_recipient["bloum-rep@example.org"].extra_headers["Content-Language"] == "de"
    assert other_rep.email in by_recipient


def test_a_quote_makes_the_need_quoted_and_completes_the_estimate(facilitator: User) -> None:
    need = NeedFactory(status="open")
    provider = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    estimate = services.assign_estimate(
        need, provider, actor=facilitator, hours_budget=Decimal("4")
    )
    quote = services.add_quote(
        need,
        provider,
        author=facilitator,
        amount=Decimal("3200.00"),
        provider_contribution=Decimal("200.00"),
        scope="Labels",
        estimated_days=Decimal("9"),
        valid_until=timezone.localdate(),
    )
    need.refresh_from_db()
    estimate.refresh_from_db()
    assert need.status == "quoted"
    assert estimate.status == EstimateStatus.DONE
    assert quote.net_amount == Decimal("3000.00")


@pytest.mark.parametrize(
    ("amount", "contribution", "days_left", "message"),
    [
        ("100.00", "100.01", 10, "The provider's contribution cannot exceed the amount."),
        ("100.00", "0.00", -1, "A quote must be valid at least until today."),
    ],
)
def test_bad_quotes_are_refused(
    facilitator: User, amount: str, contribution: str, days_left: int, message: str
) -> None:
    need = NeedFactory(status="open")
    with pytest.raises(DomainError) as raised:
        services.add_quote(
            need,
            OrganisationFactory(kind=OrganisationKind.PROVIDER),
            author=facilitator,
            amount=Decimal(amount),
            provider_contribution=Decimal(contribution),
            scope="x",
            estimated_days=Decimal("1"),
            valid_until=timezone.localdate() + datetime.timedelta(days=days_left),
        )
    assert raised.value.message == message
    assert need.quotes.count() == 0


def test_quotes_expire_after_their_date_and_the_need_reopens(facilitator: User) -> None:
    today = timezone.localdate()
    stale = QuoteFactory(valid_until=today - datetime.timedelta(days=1))
    fresh = QuoteFactory(valid_until=today)
    assert services.expire_quotes(today) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == (QuoteStatus.EXPIRED, QuoteStatus.PROPOSED)
    stale.need.refresh_from_db()
    fresh.need.refresh_from_db()
    assert (stale.need.status, fresh.need.status) == ("open", "quoted")


def test_a_quote_past_its_date_is_not_valid_even_before_the_daily_expiry() -> None:
    quote = QuoteFactory(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    assert quote.effective_status() == "expired"
    assert list(type(quote).objects.valid()) == []


def test_withdrawing_the_last_valid_quote_reopens_the_need(facilitator: User) -> None:
    quote = QuoteFactory()
    services.withdraw_quote(quote, actor=facilitator)
    quote.refresh_from_db()
    quote.need.refresh_from_db()
    assert (quote.status, quote.need.status) == ("withdrawn", "open")
    with pytest.raises(DomainError):
        services.withdraw_quote(quote, actor=facilitator)


def test_estimates_record_the_budget_and_the_hours_spent(facilitator: User) -> None:
    need = NeedFactory()
    provider = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    services.request_estimate(need, actor=facilitator)
    estimate = services.assign_estimate(
        need, provider, actor=facilitator, hours_budget=Decimal("6")
    )
    services.record_estimate_hours(estimate, actor=facilitator, hours_spent=Decimal("4.5"))
    estimate.refresh_from_db()
    need.refresh_from_db()
    assert (estimate.hours_budget, estimate.hours_spent) == (Decimal("6.00"), Decimal("4.50"))
    assert need.estimate_requested_at is not None


def test_only_providers_estimate(facilitator: User) -> None:
    with pytest.raises(DomainError):
        services.assign_estimate(
            NeedFactory(), OrganisationFactory(), actor=facilitator, hours_budget=Decimal("1")
        )


def test_quoted_follows_the_quotes_and_cannot_be_chosen_without_one(facilitator: User) -> None:
    need = NeedFactory(status="open")
    with pytest.raises(DomainError) as raised:
        services.change_status(need, "quoted", actor=facilitator)
    assert raised.value.message == "A need is quoted only while it has a valid quote."


def test_a_postponed_need_reopens_as_quoted_when_its_quote_is_still_valid(
    facilitator: User,
) -> None:
    quote = QuoteFactory(need=NeedFactory(status="postponed"))
    need = services.change_status(quote.need, "open", actor=facilitator)
    assert need.status == "quoted"
    reasons = [e.data["why"] for e in AuditEvent.objects.filter(action="needs.need.status_changed")]
    assert reasons == ["valid_quote", ""]  # newest first: the automatic move, then the reopening


def test_a_quote_on_a_postponed_need_leaves_it_postponed(facilitator: User) -> None:
    need = NeedFactory(status="postponed")
    services.add_quote(
        need,
        OrganisationFactory(kind=OrganisationKind.PROVIDER),
        author=facilitator,
        amount=Decimal("10"),
        provider_contribution=Decimal("0"),
        scope="x",
        estimated_days=Decimal("1"),
        valid_until=timezone.localdate(),
    )
    need.refresh_from_db()
    assert need.status == "postponed"
