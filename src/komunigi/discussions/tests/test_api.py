"""The lists through the API: what each caller sees is what the lists' pages show them."""

import datetime
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from komunigi.community.models import OrganisationStatus, Role, User
from komunigi.community.services import create_api_token
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.discussions import inbound, moderation, services
from komunigi.discussions.models import (
    Delivery,
    HeldMessage,
    HeldStatus,
    MailingList,
    ReadAccess,
    Thread,
)
from komunigi.needs.tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # the attachments' files


LIST_ADDRESS = "news@komunigi.localhost"  # the public list's


def member(name: str, email: str, organisation: str, **fields: object) -> User:
    return MembershipFactory(
        organisation=OrganisationFactory(name=organisation, **fields),
        role=Role.REPRESENTATIVE,
        user=UserFactory(full_name=name, email=email, language="en"),
    ).user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_token(user: User) -> Client:
    _token, raw = create_api_token(user, name="script")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def entraide(db: None) -> MailingList:
    return MailingList.objects.create(
        name="Entraide",
        slug="entraide",
        local_part="community",
        description="Mutual help",
        read_access=ReadAccess.MEMBERS,
    )


@pytest.fixture
def annonces(db: None) -> MailingList:
    return MailingList.objects.create(
        name="Annonces", slug="annonces", local_part="news", read_access=ReadAccess.PUBLIC
    )


@pytest.fixture
def claire(db: None) -> User:
    """The representative of BEES coop, a member organisation: she reads every list."""
    return member("Claire Dubois", "claire@bees.example", "BEES coop", slug="bees-coop")


@pytest.fixture
def applicant(db: None) -> User:
    """Of another organisation, which has not joined yet: the public lists only."""
    return member(
        "Ali Applicant",
        "ali@newcoop.example",
        "New coop",
        slug="new-coop",
        status=OrganisationStatus.APPLICANT,
    )


def callers(claire: User, applicant: User, outsider: User) -> dict[str, Client]:
    return {
        "member": with_token(claire),
        "member by session": logged_in(claire),
        "another organisation": with_token(applicant),
        "logged-in outsider": logged_in(outsider),
        "anonymous": Client(),
    }


MAY_READ_MEMBERS_LISTS = {"member", "member by session"}
BY_SESSION = {"member by session", "logged-in outsider", "anonymous"}  # who also reads pages


def iso(moment: datetime.datetime | None) -> str | None:
    """A moment as the API writes it (to the millisecond)."""
    return DjangoJSONEncoder().default(moment) if moment else None


def mail(sender: str, subject: str, text: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = LIST_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mail.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes()


# Who sees what


def test_the_lists_are_those_each_caller_may_read(
    entraide: MailingList, annonces: MailingList, claire: User, applicant: User, outsider: User
) -> None:
    for name, client in callers(claire, applicant, outsider).items():
        slugs = [item["slug"] for item in client.get("/api/v1/lists").json()]
        expected = ["annonces", "entraide"] if name in MAY_READ_MEMBERS_LISTS else ["annonces"]
        assert (name, slugs) == (name, expected)


def test_a_members_only_list_s_threads_are_not_there_for_others(
    entraide: MailingList, annonces: MailingList, claire: User, applicant: User, outsider: User
) -> None:
    services.start_thread(entraide, author=claire, subject="Shift reminders", body="Why?")
    services.start_thread(annonces, author=claire, subject="Assembly", body="On Monday.")
    for name, client in callers(claire, applicant, outsider).items():
        members_only = client.get("/api/v1/lists/entraide/threads")
        public = client.get("/api/v1/lists/annonces/threads").json()
        assert [item["subject"] for item in public["items"]] == ["Assembly"]
        if name in MAY_READ_MEMBERS_LISTS:
            assert members_only.json()["count"] == 1
        else:  # as if it did not exist, as its page
            assert (name, members_only.status_code) == (name, 404)
    assert Client().get("/api/v1/lists/nothing/threads").status_code == 404


def test_a_thread_of_a_members_only_list_is_not_there_for_others(
    entraide: MailingList, annonces: MailingList, claire: User, applicant: User, outsider: User
) -> None:
    private = services.start_thread(entraide, author=claire, subject="Stock", body="Who?")
    public = services.start_thread(annonces, author=claire, subject="Assembly", body="Monday.")
    for name, client in callers(claire, applicant, outsider).items():
        assert client.get(f"/api/v1/threads/{public.pk}").json()["subject"] == "Assembly"
        status = client.get(f"/api/v1/threads/{private.pk}").status_code
        assert (name, status) == (name, 200 if name in MAY_READ_MEMBERS_LISTS else 404)
        if name in BY_SESSION:  # the API answers as the page does
            page = client.get(f"/en/threads/{private.pk}/").status_code
            assert (name, page) == (name, status)
    assert Client().get("/api/v1/threads/999999").status_code == 404


def test_a_member_of_another_member_organisation_reads_the_members_lists(
    entraide: MailingList, claire: User
) -> None:
    thread = services.start_thread(entraide, author=claire, subject="Stock", body="Who?")
    anna = member("Anna Huber", "anna@foodhub.example", "FoodHub München")
    assert with_token(anna).get(f"/api/v1/threads/{thread.pk}").json()["subject"] == "Stock"


def test_a_wrong_token_is_refused_rather_than_read_as_anonymous(annonces: MailingList) -> None:
    refused = Client(HTTP_AUTHORIZATION="Bearer nothing").get("/api/v1/lists")
    assert refused.status_code == 401


# What they see


def test_the_lists_give_their_counts_and_the_caller_s_subscription(
    entraide: MailingList, annonces: MailingList, claire: User
) -> None:
    services.start_thread(entraide, author=claire, subject="One", body="1")
    services.start_thread(entraide, author=claire, subject="Two", body="2")
    services.subscribe(entraide, user=claire, delivery=Delivery.DIGEST)
    lists = {item["slug"]: item for item in with_token(claire).get("/api/v1/lists").json()}
    assert lists["entraide"] == {
        "name": "Entraide",
        "slug": "entraide",
        "description": "Mutual help",
        "address": "community@komunigi.localhost",
        "read_access": "members",
        "thread_count": 2,
        "subscribed": True,
        "delivery": "digest",
        "url": "http://testserver/lists/entraide/",
    }
    assert (lists["annonces"]["subscribed"], lists["annonces"]["delivery"]) == (False, None)
    anonymous = Client().get("/api/v1/lists").json()
    assert [(item["subscribed"], item["thread_count"]) for item in anonymous] == [(None, 0)]


def test_threads_come_latest_activity_first_with_their_counts(
    annonces: MailingList, claire: User, facilitator: User
) -> None:
    older = services.start_thread(annonces, author=claire, subject="Older", body="?")
    newer = services.start_thread(annonces, author=claire, subject="Newer", body="?")
    answer = services.reply(older, author=facilitator, body="Answered.")
    services.mark_solved(older, actor=claire, answer=answer)
    page = Client().get("/api/v1/lists/annonces/threads").json()
    assert page["count"] == 2
    first, second = page["items"]
    older.refresh_from_db()
    assert first == {
        "id": older.pk,
        "subject": "Older",
        "author": "Claire Dubois",
        "started_at": iso(older.created_at),
        "last_post_at": iso(older.last_activity_at),
        "post_count": 2,
        "solved": True,
        "url": f"http://testserver/threads/{older.pk}/",
    }
    assert (second["id"], second["post_count"], second["solved"]) == (newer.pk, 1, False)
    assert Client().get("/api/v1/lists/annonces/threads?page=2&page_size=1").json()["items"] == [
        second
    ]


def test_a_thread_gives_its_posts_as_the_page_shows_them(
    annonces: MailingList, claire: User, facilitator: User
) -> None:
    need = NeedFactory(organisation=claire.memberships.get().organisation)
    draft = NeedFactory(organisation=claire.memberships.get().organisation, status="draft")
    photo = services.Upload("till.png", PNG, "image/png", "png")
    thread = services.start_thread(
        annonces,
        author=claire,
        subject="Till",
        body="It **froze** <script>alert(1)</script>",
        needs=[need, draft],
        attachments=[photo],
    )
    question = thread.posts.get()
    answer = services.reply(thread, author=facilitator, body="Restart it.", parent=question)
    services.mark_solved(thread, actor=claire, answer=answer)

    data = Client().get(f"/api/v1/threads/{thread.pk}").json()
    attachment = question.attachments.get()
    assert (data["mailing_list"], data["solved"], data["answer"]) == ("annonces", True, answer.pk)
    assert data["needs"] == [need.pk]  # not the draft, which the public may not see
    assert with_token(claire).get(f"/api/v1/threads/{thread.pk}").json()["needs"] == [
        need.pk,
        draft.pk,
    ]
    assert data["posts"] == [
        {
            "id": question.pk,
            "author": "Claire Dubois (BEES coop)",
            "organisation": "bees-coop",
            "created_at": iso(question.created_at),
            "edited_at": None,
            "source": "web",
            "parent": None,
            "body": "It **froze** <script>alert(1)</script>",
            "body_html": "<p>It <strong>froze</strong> </p>",
            "attachments": [
                {
                    "name": "till.png",
                    "content_type": "image/png",
                    "size": len(PNG),
                    "url": f"http://testserver/attachments/{attachment.pk}/",
                }
            ],
        },
        {
            "id": answer.pk,
            "author": "Fanny Facilitator",
            "organisation": None,
            "created_at": iso(answer.created_at),
            "edited_at": None,
            "source": "web",
            "parent": question.pk,
            "body": "Restart it.",
            "body_html": "<p>Restart it.</p>",
            "attachments": [],
        },
    ]
    page = Client().get(f"/en/threads/{thread.pk}/").content.decode()
    assert data["posts"][0]["body_html"] in page
    assert Client().get(data["posts"][0]["attachments"][0]["url"]).status_code == 200


def test_held_and_rejected_messages_never_appear_and_approved_ones_do(
    annonces: MailingList, claire: User, facilitator: User
) -> None:
    thread = services.start_thread(annonces, author=claire, subject="Till", body="It froze.")
    first = thread.posts.get()
    # Three answers by e-mail from people who are not members: each waits for a facilitator.
    for sender, text in [
        ("Sam Newcomer <sam@newcoop.example>", "Restart it."),
        ("Spam <spam@example.net>", "Buy now"),
        ("Held <held@example.net>", "Still waiting"),
    ]:
        raw = mail(sender, "Re: Till", text, In_Reply_To=first.message_id)
        assert inbound.receive(raw, LIST_ADDRESS) is inbound.Outcome.HELD
    approved, rejected, _pending = HeldMessage.objects.order_by("pk")
    moderation.approve(approved, actor=facilitator)
    moderation.reject(rejected, actor=facilitator, note="")
    assert HeldMessage.objects.filter(status=HeldStatus.PENDING).count() == 1

    for client in (Client(), with_token(claire), with_token(facilitator)):
        data = client.get(f"/api/v1/threads/{thread.pk}").json()
        assert [(post["author"], post["body"]) for post in data["posts"]] == [
            ("Claire Dubois (BEES coop)", "It froze."),
            ("Sam Newcomer", "Restart it."),
        ]
        assert data["post_count"] == 2


def test_no_author_s_address_is_given(annonces: MailingList, claire: User) -> None:
    """Authors are named as the page names them: a member's address never appears, nor a
    sender's, whose original e-mail stays for the facilitators."""
    thread = services.start_thread(annonces, author=claire, subject="Till", body="It froze.")
    raw = mail(
        "Claire Dubois <claire@bees.example>",
        "Re: Till",
        "Fixed.",
        In_Reply_To=thread.posts.get().message_id,
    )
    assert inbound.receive(raw, LIST_ADDRESS) is inbound.Outcome.POSTED
    answer = Client().get(f"/api/v1/threads/{thread.pk}")
    assert (answer.json()["post_count"], answer.json()["posts"][1]["source"]) == (2, "email")
    assert "@" not in answer.content.decode().replace(LIST_ADDRESS, "")
    listed = Client().get("/api/v1/lists/annonces/threads").content.decode()
    assert "claire@bees.example" not in listed


# Bounded queries


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_endpoints_run_a_bounded_number_of_queries(
    entraide: MailingList,
    annonces: MailingList,
    claire: User,
    facilitator: User,
    django_assert_num_queries,
    count: int,
) -> None:
    photo = services.Upload("till.png", PNG, "image/png", "png")
    for n in range(count):
        MailingList.objects.create(name=f"List {n}", slug=f"list-{n}", local_part=f"list-{n}")
        services.subscribe(entraide, user=claire, delivery=Delivery.EVERY)
        thread = services.start_thread(
            entraide, author=claire, subject=f"T{n}", body="?", attachments=[photo]
        )
        for _ in range(count):
            services.reply(thread, author=facilitator, body="!", attachments=[photo])
    thread.needs.set(NeedFactory.create_batch(count))
    client = logged_in(claire)
    # The same whatever the number of lists, threads, posts and attachments.
    expected = {
        "/api/v1/lists": 5,  # session, user, membership, lists, subscriptions
        "/api/v1/lists/entraide/threads": 6,  # session, user, membership, list, count, page
        # session, user, membership, thread, posts, attachments, needs
        f"/api/v1/threads/{thread.pk}": 7,
    }
    for url, queries in expected.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_a_thread_is_only_among_the_threads_of_its_list(
    entraide: MailingList, annonces: MailingList, claire: User
) -> None:
    services.start_thread(entraide, author=claire, subject="Private", body="?")
    assert Client().get("/api/v1/lists/annonces/threads").json() == {"items": [], "count": 0}
    assert Thread.objects.count() == 1


# The smallest PNG there is: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
