import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from komunigi.community.models import OrganisationKind, Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory
from komunigi.needs import rounds
from komunigi.needs.models import Attachment, Ballot, Interest, Need, PriorityRound, Quote
from komunigi.needs.tests.factories import (
    InterestFactory,
    NeedFactory,
    PriorityRoundFactory,
    QuoteFactory,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


NEED_FORM = {
    "title": "Shift exchange",
    "problem": "Members cannot swap shifts.",
    "expected_outcome": "They swap them online.",
    "tags_text": "shifts, member space",
    "odoo_series": "12.0",
}


def test_proposing_a_need_publishes_it_for_the_chosen_organisation(
    representative: User,
) -> None:
    bees = representative.memberships.get().organisation
    response = logged_in(representative).post(
        "/en/needs/new/", {**NEED_FORM, "organisation": bees.pk, "publish": "1"}, follow=True
    )
    need = Need.objects.get()
    assert response.redirect_chain[-1][0] == f"/en/needs/{need.pk}/"
    assert (need.status, need.organisation, need.author) == ("open", bees, representative)
    assert [str(m) for m in response.context["messages"]] == ["Your need is published."]


def test_a_need_with_bad_input_keeps_what_was_typed(representative: User) -> None:
    bees = representative.memberships.get().organisation
    response = logged_in(representative).post(
        "/en/needs/new/", {**NEED_FORM, "title": "", "organisation": bees.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"title": ["This field is required."]}
    assert "Members cannot swap shifts.</textarea>" in response.content.decode()
    assert Need.objects.count() == 0


def test_nobody_proposes_in_the_name_of_another_organisation(representative: User) -> None:
    other = OrganisationFactory(slug="bloum")
    response = logged_in(representative).post(
        "/en/needs/new/", {**NEED_FORM, "organisation": other.pk, "publish": "1"}
    )
    assert list(response.context["form"].errors) == ["organisation"]
    assert Need.objects.count() == 0


def test_people_without_an_organisation_cannot_propose(outsider: User) -> None:
    assert logged_in(outsider).get("/needs/new/").status_code == 403


def test_drafts_are_hidden_from_other_organisations(representative: User, outsider: User) -> None:
    draft = NeedFactory(status="draft", organisation=representative.memberships.get().organisation)
    assert logged_in(representative).get(f"/needs/{draft.pk}/").status_code == 200
    assert logged_in(outsider).get(f"/needs/{draft.pk}/").status_code == 404
    assert Client().get(f"/needs/{draft.pk}/").status_code == 404
    assert draft.title not in Client().get("/needs/").content.decode()


def test_a_member_of_another_organisation_cannot_edit_a_need(representative: User) -> None:
    need = NeedFactory(title="Original")
    other = logged_in(representative)
    assert other.get(f"/needs/{need.pk}/edit/").status_code == 403
    assert other.post(f"/needs/{need.pk}/edit/", NEED_FORM).status_code == 403
    need.refresh_from_db()
    assert need.title == "Original"


def test_the_proposing_organisation_publishes_its_draft_with_a_reason_recorded(
    representative: User,
) -> None:
    need = NeedFactory(status="draft", organisation=representative.memberships.get().organisation)
    client = logged_in(representative)
    client.post(f"/en/needs/{need.pk}/status/", {"status": "open", "reason": "Ready"})
    need.refresh_from_db()
    assert need.status == "open"
    page = client.get(f"/en/needs/{need.pk}/")
    assert [(h["from"], h["to"], h["reason"]) for h in page.context["history"]] == [
        ("Draft", "Open", "Ready")
    ]


def test_a_status_the_person_may_not_choose_is_refused(representative: User) -> None:
    need = NeedFactory(status="open", organisation=representative.memberships.get().organisation)
    response = logged_in(representative).post(
        f"/en/needs/{need.pk}/status/", {"status": "scheduled"}
    )
    assert response.status_code == 403  # the service refuses: only a meeting schedules
    need.refresh_from_db()
    assert need.status == "open"


def test_a_provider_cannot_express_a_supermarkets_interest(representative: User) -> None:
    developer = MembershipFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.PROVIDER)
    ).user
    need = NeedFactory()
    bees = representative.memberships.get().organisation
    response = logged_in(developer).post(
        f"/en/needs/{need.pk}/interest/", {"organisation": bees.pk, "priority": "must"}
    )
    assert response.status_code == 400
    assert Interest.objects.count() == 0


def test_a_supermarket_member_says_we_need_this_too(representative: User) -> None:
    bees = representative.memberships.get().organisation
    member = MembershipFactory(organisation=bees, role=Role.MEMBER).user
    need = NeedFactory()
    response = logged_in(member).post(
        f"/en/needs/{need.pk}/interest/",
        {"organisation": bees.pk, "priority": "must", "comment": "Badly"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["BEES coop needs this too: noted."]
    assert Interest.objects.get().comment == "Badly"
    assert response.context["supermarket_count"] == 1


def test_a_comment_is_posted_and_rendered_as_safe_markdown(representative: User) -> None:
    need = NeedFactory()
    client = logged_in(representative)
    client.post(
        f"/en/needs/{need.pk}/comments/",
        {"body": "**Yes** <script>alert(1)</script> [x](javascript:alert(1))"},
    )
    page = client.get(f"/en/needs/{need.pk}/").content.decode()
    assert "<strong>Yes</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert "javascript:alert" not in page


def test_anonymous_visitors_read_but_do_not_comment(client: Client) -> None:
    need = NeedFactory()
    response = client.post(f"/needs/{need.pk}/comments/", {"body": "Hi"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_attachments_accept_images_and_pdf_checked_by_their_bytes(representative: User) -> None:
    need = NeedFactory(organisation=representative.memberships.get().organisation)
    client = logged_in(representative)
    url = f"/en/needs/{need.pk}/attachments/"
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00not really a png")
    refused = client.post(url, {"file": fake})
    assert refused.context["attachment_form"].errors == {
        "file": ["Only images (PNG, JPEG, GIF, WebP) and PDF files."]
    }
    client.post(url, {"file": SimpleUploadedFile("screen.png", PNG)})
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("screen.png", "image/png")
    served = Client().get(attachment.get_absolute_url())
    assert served["Content-Type"] == "image/png"
    assert served["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(served.streaming_content) == PNG


def test_attachments_over_the_size_limit_are_refused(representative: User, settings) -> None:
    settings.KOMUNIGI_ATTACHMENT_MAX_BYTES = 50
    need = NeedFactory(organisation=representative.memberships.get().organisation)
    response = logged_in(representative).post(
        f"/en/needs/{need.pk}/attachments/", {"file": SimpleUploadedFile("big.png", PNG)}
    )
    assert response.context["attachment_form"].errors == {
        "file": ["The file is too big: 50\xa0bytes at most."]
    }
    assert Attachment.objects.count() == 0


def test_attachments_of_a_draft_are_as_private_as_the_draft(representative: User) -> None:
    need = NeedFactory(status="draft", organisation=representative.memberships.get().organisation)
    logged_in(representative).post(
        f"/needs/{need.pk}/attachments/", {"file": SimpleUploadedFile("a.png", PNG)}
    )
    attachment = Attachment.objects.get()
    assert Client().get(attachment.get_absolute_url()).status_code == 404


def test_a_provider_quotes_with_localised_amounts(facilitator: User) -> None:
    provider = OrganisationFactory(kind=OrganisationKind.PROVIDER, name="Coop IT Easy")
    developer = MembershipFactory(organisation=provider).user
    need = NeedFactory(status="open")
    valid_until = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = logged_in(developer).post(
        f"/needs/{need.pk}/quotes/",
        {
            "provider": provider.pk,
            "amount": "3 200,50",
            "provider_contribution": "200",
            "estimated_days": "9,5",
            "valid_until": valid_until,
            "scope": "Labels",
        },
    )
    assert response.status_code == 302
    quote = Quote.objects.get()
    assert (quote.amount, quote.estimated_days) == (Decimal("3200.50"), Decimal("9.5"))
    need.refresh_from_db()
    assert need.status == "quoted"


def test_a_quote_with_a_contribution_above_its_amount_is_refused(facilitator: User) -> None:
    provider = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    developer = MembershipFactory(organisation=provider).user
    need = NeedFactory(status="open")
    response = logged_in(developer).post(
        f"/en/needs/{need.pk}/quotes/",
        {
            "provider": provider.pk,
            "amount": "100",
            "provider_contribution": "150",
            "estimated_days": "1",
            "valid_until": timezone.localdate().isoformat(),
            "scope": "x",
        },
    )
    assert response.context["quote_form"].errors == {
        "provider_contribution": ["The provider's contribution cannot exceed the amount."]
    }
    assert Quote.objects.count() == 0


@pytest.mark.parametrize("count", [1, 3])
def test_needs_list_runs_a_bounded_number_of_queries(
    client: Client, django_assert_num_queries, count: int
) -> None:
    for _ in range(count):
        need = NeedFactory()
        InterestFactory(need=need)
        need.tags.create(name=f"tag {need.pk}", slug=f"tag-{need.pk}")
    with django_assert_num_queries(4):  # count, page, tags of the page, tags of the filter
        client.get("/needs/")


@pytest.mark.parametrize("count", [1, 3])
def test_roadmap_runs_a_bounded_number_of_queries(
    client: Client, django_assert_num_queries, count: int
) -> None:
    needs = []
    for _ in range(count):
        quote = QuoteFactory()
        InterestFactory(need=quote.need)
        needs.append(quote.need)
    closed = PriorityRoundFactory(status="closed", closed_at=timezone.now())
    closed.candidates.set(needs)
    closed.result = {"order": [[n.pk for n in needs]], "pairwise": {}, "strongest_paths": {}}
    closed.save()
    # latest round, its ranked needs, how many others; the page's needs, interests, quotes
    with django_assert_num_queries(6):
        response = client.get("/roadmap/")
    assert [item.place for item, _estimate in response.context["rows"]] == [1] * count


def test_roadmap_follows_the_latest_round_then_interest(facilitator: User) -> None:
    first, second, third = (
        NeedFactory(title=t, status="open") for t in ("Labels", "Deposits", "Shifts")
    )
    supermarkets = [OrganisationFactory(slug=f"s{n}") for n in range(3)]
    for supermarket in supermarkets:
        InterestFactory(need=third, organisation=supermarket)
    QuoteFactory(need=second, amount=Decimal("1000.00"), provider_contribution=Decimal("100.00"))
    QuoteFactory(need=second, amount=Decimal("1200.00"))
    InterestFactory(need=second, organisation=supermarkets[0])
    InterestFactory(need=second, organisation=supermarkets[1])
    priority_round = PriorityRoundFactory()
    priority_round.candidates.set([first, second])
    voter = MembershipFactory(organisation=supermarkets[0], role=Role.REPRESENTATIVE).user
    rounds.cast_ballot(priority_round, supermarkets[0], actor=voter, ranking=[[second.pk]])
    rounds.close_round(priority_round, actor=facilitator)

    rows = Client().get("/en/roadmap/").context["rows"]

    assert [(i.need.title, i.place) for i, _estimate in rows] == [
        ("Deposits", 1),
        ("Labels", 2),
        ("Shifts", None),
    ]
    deposits, estimate = rows[0]
    assert deposits.best_quote.amount == Decimal("1000.00")
    # (1000 − 100) × 1.05 overhead, by the 2 interested: what a campaign would charge.
    assert (estimate.lowest, estimate.highest) == (Decimal("472.50"), Decimal("472.50"))
    assert rows[2][1] is None


def test_only_representatives_and_substitutes_rank(representative: User) -> None:
    bees = representative.memberships.get().organisation
    member = MembershipFactory(organisation=bees, role=Role.MEMBER).user
    candidates = [NeedFactory(), NeedFactory()]
    priority_round = PriorityRoundFactory()
    priority_round.candidates.set(candidates)
    ranks = {f"rank_{candidates[0].pk}": "1", f"rank_{candidates[1].pk}": "2"}
    refused = logged_in(member).post(
        f"/priorities/{priority_round.pk}/ballot/", {"organisation": bees.pk, **ranks}
    )
    assert refused.status_code == 403
    accepted = logged_in(representative).post(
        f"/en/priorities/{priority_round.pk}/ballot/", {"organisation": bees.pk, **ranks},
        follow=True,
    )  # fmt: skip
    assert [str(m) for m in accepted.context["messages"]] == [
        "The ranking of BEES coop is recorded."
    ]
    assert Ballot.objects.get().ranking == [[candidates[0].pk], [candidates[1].pk]]


def test_an_empty_ranking_is_refused_with_a_message(representative: User) -> None:
    bees = representative.memberships.get().organisation
    priority_round = PriorityRoundFactory()
    priority_round.candidates.set([NeedFactory(), NeedFactory()])
    response = logged_in(representative).post(
        f"/en/priorities/{priority_round.pk}/ballot/", {"organisation": bees.pk}
    )
    assert response.status_code == 400
    assert response.context["ballot_form"].non_field_errors() == [
        "Give a rank to at least one need."
    ]


def test_a_late_ballot_is_refused_with_a_message(representative: User) -> None:
    bees = representative.memberships.get().organisation
    need = NeedFactory()
    priority_round = PriorityRoundFactory(deadline=timezone.now() - datetime.timedelta(hours=1))
    priority_round.candidates.set([need, NeedFactory()])
    response = logged_in(representative).post(
        f"/en/priorities/{priority_round.pk}/ballot/",
        {"organisation": bees.pk, f"rank_{need.pk}": "1"},
    )
    assert response.status_code == 409
    assert response.context["ballot_form"].non_field_errors() == [
        "The deadline has passed: ballots are no longer accepted."
    ]


def test_a_facilitator_opens_a_round_in_their_own_time_zone(facilitator: User) -> None:
    facilitator.time_zone = "America/Montreal"
    facilitator.save()
    needs = [NeedFactory(status="open"), NeedFactory(status="quoted")]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    logged_in(facilitator).post(
        "/priorities/new/",
        {
            "title": "Spring",
            "candidates": [n.pk for n in needs],
            "deadline": f"{tomorrow.isoformat()}T18:00",
        },
    )
    created = PriorityRound.objects.get(title="Spring")
    assert created.deadline.astimezone(ZoneInfo("America/Montreal")).hour == 18
    assert set(created.candidates.all()) == set(needs)


def test_other_people_cannot_open_or_close_rounds(representative: User) -> None:
    client = logged_in(representative)
    assert client.get("/priorities/new/").status_code == 403
    priority_round = PriorityRoundFactory()
    assert client.post(f"/priorities/{priority_round.pk}/close/").status_code == 403
    priority_round.refresh_from_db()
    assert priority_round.status == "open"


def test_pdf_attachments_are_downloaded_not_shown(representative: User) -> None:
    need = NeedFactory(organisation=representative.memberships.get().organisation)
    logged_in(representative).post(
        f"/needs/{need.pk}/attachments/",
        {"file": SimpleUploadedFile("specs.pdf", b"%PDF-1.7\n%fake")},
    )
    attachment = Attachment.objects.get()
    served = Client().get(attachment.get_absolute_url())
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("count", [1, 3])
def test_need_page_runs_a_bounded_number_of_queries(
    representative: User, django_assert_num_queries, count: int
) -> None:
    from komunigi.needs import services

    need = NeedFactory(status="open")
    for n in range(count):
        InterestFactory(need=need)
        QuoteFactory(need=need)
        services.add_comment(need, author=representative, body=f"Comment {n}")
        need.tags.create(name=f"t{n}", slug=f"t{n}")
    client = logged_in(representative)
    # session, user, need, its tags, interests, quotes, estimates, comments, attachments,
    # modules, history; the person's memberships, supermarkets and providers (forms and
    # permissions); whether they follow it
    with django_assert_num_queries(18):
        client.get(f"/needs/{need.pk}/")


@pytest.fixture
def provider_people(facilitator: User) -> dict:
    mine = OrganisationFactory(slug="cie", kind=OrganisationKind.PROVIDER)
    theirs = OrganisationFactory(slug="coopdevs", kind=OrganisationKind.PROVIDER)
    return {
        "mine": mine,
        "developer": MembershipFactory(organisation=mine).user,
        "rival": MembershipFactory(organisation=theirs).user,
    }


def test_hours_are_recorded_by_the_estimating_provider_only(
    facilitator: User, provider_people: dict
) -> None:
    from komunigi.needs import services

    need = NeedFactory()
    estimate = services.assign_estimate(
        need, provider_people["mine"], actor=facilitator, hours_budget=Decimal("4")
    )
    url = f"/en/estimates/{estimate.pk}/hours/"
    assert logged_in(provider_people["rival"]).post(url, {"hours_spent": "3"}).status_code == 403
    refused = logged_in(provider_people["developer"]).post(url, {"hours_spent": "-3"})
    assert refused.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in refused.content.decode()
    assert 'value="-3"' in refused.content.decode()
    logged_in(provider_people["developer"]).post(url, {"hours_spent": "3.5"})
    estimate.refresh_from_db()
    assert estimate.hours_spent == Decimal("3.50")


def test_estimates_are_assigned_by_facilitators_to_open_needs(
    facilitator: User, representative: User, provider_people: dict
) -> None:
    need = NeedFactory(status="delivered")
    data = {"provider": provider_people["mine"].pk, "hours_budget": "4"}
    assert (
        logged_in(representative).post(f"/needs/{need.pk}/estimate/assign/", data).status_code
        == 403
    )
    refused = logged_in(facilitator).post(f"/en/needs/{need.pk}/estimate/assign/", data)
    assert refused.status_code == 409
    assert refused.context["estimate_form"].non_field_errors() == [
        "Only open or quoted needs are estimated."
    ]


def test_an_estimate_is_asked_for_by_the_needs_organisation(
    representative: User, outsider: User
) -> None:
    need = NeedFactory(organisation=representative.memberships.get().organisation)
    assert logged_in(outsider).post(f"/needs/{need.pk}/estimate/").status_code == 403
    logged_in(representative).post(f"/needs/{need.pk}/estimate/")
    need.refresh_from_db()
    assert need.estimate_requested_at is not None


def test_attachments_are_removed_by_the_needs_organisation_only(
    representative: User, provider_people: dict
) -> None:
    need = NeedFactory(organisation=representative.memberships.get().organisation)
    logged_in(representative).post(
        f"/needs/{need.pk}/attachments/", {"file": SimpleUploadedFile("a.png", PNG)}
    )
    attachment = Attachment.objects.get()
    url = f"/needs/{need.pk}/attachments/{attachment.pk}/delete/"
    assert logged_in(provider_people["rival"]).post(url).status_code == 403
    logged_in(representative).post(url)
    assert Attachment.objects.count() == 0


def test_a_quote_is_withdrawn_by_its_provider_only(provider_people: dict) -> None:
    quote = QuoteFactory(provider=provider_people["mine"])
    url = f"/quotes/{quote.pk}/withdraw/"
    assert logged_in(provider_people["rival"]).post(url).status_code == 403
    logged_in(provider_people["developer"]).post(url)
    quote.refresh_from_db()
    assert quote.status == "withdrawn"


def test_nobody_withdraws_another_supermarkets_interest(representative: User) -> None:
    need = NeedFactory()
    other = OrganisationFactory(slug="bloum")
    InterestFactory(need=need, organisation=other)
    response = logged_in(representative).post(
        f"/needs/{need.pk}/interest/", {"organisation": other.pk, "withdraw": "1"}
    )
    assert response.status_code == 404
    assert Interest.objects.count() == 1


def test_nobody_ranks_for_another_supermarket(representative: User) -> None:
    other = OrganisationFactory(slug="bloum")
    MembershipFactory(organisation=other, role=Role.REPRESENTATIVE)
    candidates = [NeedFactory(), NeedFactory()]
    priority_round = PriorityRoundFactory()
    priority_round.candidates.set(candidates)
    response = logged_in(representative).post(
        f"/en/priorities/{priority_round.pk}/ballot/",
        {"organisation": other.pk, f"rank_{candidates[0].pk}": "1"},
    )
    assert response.status_code == 400
    assert list(response.context["ballot_form"].errors) == ["organisation"]
    assert Ballot.objects.count() == 0


def test_the_tags_of_drafts_are_not_listed(client: Client) -> None:
    NeedFactory(status="draft").tags.create(name="Secret", slug="secret")
    NeedFactory().tags.create(name="Public", slug="public")
    assert [t.slug for t in client.get("/needs/").context["tags"]] == ["public"]


def test_interest_of_former_members_does_not_count(client: Client) -> None:
    need = NeedFactory()
    InterestFactory(need=need, organisation=OrganisationFactory(status="former"))
    InterestFactory(need=need, organisation=OrganisationFactory())
    assert client.get(f"/needs/{need.pk}/").context["supermarket_count"] == 1
    assert client.get("/needs/").context["page"].object_list[0].interest_count == 1


@pytest.mark.parametrize("count", [1, 3])
def test_round_pages_run_a_bounded_number_of_queries(
    representative: User, facilitator: User, django_assert_num_queries, count: int
) -> None:
    bees = representative.memberships.get().organisation
    needs = NeedFactory.create_batch(count + 1)
    open_round = PriorityRoundFactory()
    open_round.candidates.set(needs)
    closed_round = PriorityRoundFactory()
    closed_round.candidates.set(needs)
    for _ in range(count):
        supermarket = OrganisationFactory()
        voter = MembershipFactory(organisation=supermarket, role=Role.REPRESENTATIVE).user
        rounds.cast_ballot(closed_round, supermarket, actor=voter, ranking=[[needs[0].pk]])
    rounds.cast_ballot(open_round, bees, actor=representative, ranking=[[needs[0].pk]])
    rounds.close_round(closed_round, actor=facilitator)
    client = logged_in(representative)
    # session, user; a page of rounds with their ballot counts, and how many rounds
    with django_assert_num_queries(4):
        client.get("/priorities/")
    # The same numbers whatever the number of candidates and ballots: the open round's page
    # has the ballot form (the person's supermarkets and their ballots), the closed one the
    # result and the anonymised ballots; the electorate is the round's own.
    with django_assert_num_queries(12):
        client.get(f"/priorities/{open_round.pk}/")
    with django_assert_num_queries(8):
        client.get(f"/priorities/{closed_round.pk}/")
