"""The lists on the web and in mail clients."""

import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from komunigi.discussions import emails, search, services, tokens
from komunigi.discussions.models import Delivery, MailingList, ReadAccess, Subscription, Thread
from komunigi.needs.models import Tag
from komunigi.notifications import outbox
from komunigi.notifications.models import DigestItem
from komunigi.notifications.services import send_digest
from komunigi.testing import SmtpServer

pytestmark = pytest.mark.django_db


def member(name: str, organisation: str, language: str = "en") -> User:
    return MembershipFactory(
        organisation=OrganisationFactory(name=organisation),
        role=Role.REPRESENTATIVE,
        user=UserFactory(full_name=name, language=language),
    ).user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entraide(db: None) -> MailingList:
    return MailingList.objects.create(
        name="Entraide", slug="entraide", local_part="community", read_access=ReadAccess.MEMBERS
    )


def test_a_post_goes_out_as_a_mailing_list_sends_it_and_replies_thread(
    smtp_server: SmtpServer, entraide: MailingList
) -> None:
    claire = member("Claire Dubois", "BEES coop")
    anna = member("Anna Huber", "FoodHub München")
    services.subscribe(entraide, user=anna, delivery=Delivery.EVERY)
    services.subscribe(entraide, user=claire, delivery=Delivery.EVERY)

    thread = services.start_thread(
        entraide, author=claire, subject="Shift reminders", body="They stopped. **Why?**"
    )
    answer = services.reply(thread, author=anna, body="Check the template.")
    services.reply(thread, author=claire, body="Thanks!", parent=answer)
    outbox.deliver_due()

    to_anna = [m for m in smtp_server.messages if m["To"] == anna.email]
    first, last = to_anna  # not her own answer
    assert (
        first["From"] == '"Claire Dubois (BEES coop) via Komunigi" <community@komunigi.localhost>'
    )
    assert first["Subject"] == "[Entraide] Shift reminders"
    assert last["Subject"] == "Re: [Entraide] Shift reminders"
    assert first["List-Id"] == "Entraide <community.komunigi.localhost>"
    assert first["List-Post"] == "<mailto:community@komunigi.localhost>"
    assert first["List-Archive"] == "<http://127.0.0.1:8000/en/lists/entraide/>"
    assert first["List-Help"] == "<http://127.0.0.1:8000/en/lists/entraide/>"
    assert (
        first["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/en/lists/unsubscribe/")
    )
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["Precedence"] == "list"
    assert first["X-Loop"] == "community@komunigi.localhost"
    assert first["Reply-To"] == (
        f"community+{tokens.reply_token(thread.pk, anna.pk)}@komunigi.localhost"
    )
    posts = list(thread.posts.all())
    assert first["Message-ID"] == posts[0].message_id
    assert last["Message-ID"] == posts[2].message_id
    assert last["In-Reply-To"] == posts[1].message_id
    assert last["References"] == f"{posts[0].message_id} {posts[1].message_id}"
    html = first.get_body(preferencelist=("html",)).get_content()
    assert "<strong>Why?</strong>" in html
    # Claire's answer went to Anna; Claire's own posts did not come back to her.
    to_claire = [m["Subject"] for m in smtp_server.messages if m["To"] == claire.email]
    assert to_claire == ["Re: [Entraide] Shift reminders"]


def test_a_list_post_is_not_marked_auto_generated_but_the_digest_that_carries_it_is(
    smtp_server: SmtpServer, entraide: MailingList
) -> None:
    claire = member("Claire Dubois", "BEES coop")
    anna, jonas = member("Anna Huber", "FoodHub München"), member("Jonas", "Bloum")
    services.subscribe(entraide, user=anna, delivery=Delivery.EVERY)
    services.subscribe(entraide, user=jonas, delivery=Delivery.DIGEST)
    services.start_thread(entraide, author=claire, subject="Stock", body="Who counts?")
    # Tomorrow at noon where Jonas lives: past the digest hour whatever the time of the run.
    tomorrow = timezone.localtime(timezone.now(), ZoneInfo(jonas.time_zone)) + datetime.timedelta(
        days=1
    )
    send_digest(jonas, now=tomorrow.replace(hour=12, minute=0))
    outbox.deliver_due()
    post = next(m for m in smtp_server.messages if m["To"] == anna.email)
    digest = next(m for m in smtp_server.messages if m["To"] == jonas.email)
    # A person wrote the post: autoresponders may answer it, other lists may take it in.
    assert (post["Precedence"], post["Auto-Submitted"]) == ("list", None)
    assert digest["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize("reply_to_author", [False, True])
def test_replies_go_to_the_author_only_when_the_list_says_so(
    smtp_server: SmtpServer, entraide: MailingList, reply_to_author: bool
) -> None:
    entraide.reply_to_author = reply_to_author
    entraide.save(update_fields=["reply_to_author"])
    claire = member("Claire Dubois", "BEES coop")
    anna = member("Anna Huber", "FoodHub München")
    services.subscribe(entraide, user=anna, delivery=Delivery.EVERY)
    thread = services.start_thread(entraide, author=claire, subject="Stock", body="Who counts?")
    outbox.deliver_due()
    [sent] = smtp_server.messages
    token_address = f"community+{tokens.reply_token(thread.pk, anna.pk)}@komunigi.localhost"
    assert sent["Reply-To"] == (claire.email if reply_to_author else token_address)
    # The sender stays the list's own address either way (DMARC).
    assert sent["From"].addresses[0].addr_spec == "community@komunigi.localhost"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full-text search")
def test_the_archive_search_on_postgresql_finds_a_word_by_its_french_stem(
    entraide: MailingList,
) -> None:
    assert search.CONFIG == "french"
    claire = member("Claire Dubois", "BEES coop")
    found = services.start_thread(
        entraide, author=claire, subject="Créneaux", body="Le rappel part la veille."
    )
    services.start_thread(entraide, author=claire, subject="Caisse", body="La caisse bloque.")
    client = logged_in(claire)
    # "rappels" is no substring of "rappel": only stemming finds it.
    page = client.get("/en/lists/entraide/", {"q": "rappels"})
    assert [t.subject for t in page.context["page"]] == [found.subject]
    assert list(client.get("/en/lists/entraide/", {"q": "factures"}).context["page"]) == []


def test_subjects_keep_one_tag_and_one_re() -> None:
    mailing_list = MailingList(name="Entraide")
    assert emails.tagged_subject(mailing_list, "Re: RE: AW: [Entraide] Stock", is_reply=True) == (
        "Re: [Entraide] Stock"
    )
    assert emails.tagged_subject(mailing_list, "Stock", is_reply=False) == "[Entraide] Stock"
    assert emails.tagged_subject(mailing_list, "Fwd: Stock", is_reply=True) == (
        "Re: [Entraide] Stock"
    )


def test_digest_readers_find_the_post_in_their_digest_and_web_readers_get_nothing(
    entraide: MailingList,
) -> None:
    claire = member("Claire Dubois", "BEES coop")
    digest, web = member("Jonas", "Bloum"), member("Lukas", "FoodHub")
    services.subscribe(entraide, user=digest, delivery=Delivery.DIGEST)
    services.subscribe(entraide, user=web, delivery=Delivery.WEB)
    services.start_thread(entraide, author=claire, subject="Stock", body="Hello")
    assert [i.title for i in DigestItem.objects.filter(user=digest)] == ["[Entraide] Stock"]
    assert not DigestItem.objects.filter(user=web).exists()
    assert not outbox.OutboxMessage.objects.filter(to__in=[digest.email, web.email]).exists()


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz234567tux0123456789", min_size=1))
def test_any_change_to_a_token_is_refused(change: str) -> None:
    for make, read in [
        (tokens.reply_token, tokens.read_reply_token),
        (tokens.unsubscribe_token, tokens.read_unsubscribe_token),
    ]:
        token = make(12, 34)
        assert read(token) == (12, 34)
        assert read(token.upper()) == (12, 34)  # mail systems may change an address's case
        for altered in (token + change, change + token, token[:-1] + change[0]):
            if altered != token:
                assert read(altered) is None


TOKEN_KINDS = [
    (tokens.reply_token, tokens.read_reply_token),
    (tokens.unsubscribe_token, tokens.read_unsubscribe_token),
    (tokens.bounce_token, tokens.read_bounce_token),
]
TOKEN_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


@example(kind=0, operation="insert", position=1, character="0")  # t012u34…: a leading zero
@example(kind=1, operation="insert", position=4, character="0")  # t12u034…
@example(kind=0, operation="insert", position=7, character="0")  # …d02526…
@given(
    kind=st.integers(0, len(TOKEN_KINDS) - 1),
    operation=st.sampled_from(["insert", "replace", "delete"]),
    position=st.integers(0, 60),
    character=st.sampled_from(TOKEN_CHARACTERS),
)
def test_a_token_with_one_character_inserted_replaced_or_deleted_is_refused(
    kind: int, operation: str, position: int, character: str
) -> None:
    make, read = TOKEN_KINDS[kind]
    token = make(12, 34)
    assert read(token) == (12, 34)
    at = position % (len(token) + (operation == "insert"))
    if operation == "insert":
        altered = token[:at] + character + token[at:]
    elif operation == "replace":
        altered = token[:at] + character + token[at + 1 :]
    else:
        altered = token[:at] + token[at + 1 :]
    if altered != token:
        assert read(altered) is None
        assert read(altered.upper()) is None


def test_a_reply_token_names_its_own_thread_and_person_only_for_a_year() -> None:
    token = tokens.reply_token(12, 34)
    assert tokens.read_reply_token(token.replace("t12", "t13")) is None
    assert tokens.read_reply_token(token.replace("u34", "u35")) is None
    assert tokens.read_unsubscribe_token(token) is None  # another purpose, another key
    today = tokens._today()
    assert tokens.read_reply_token(tokens.reply_token(12, 34, day=today - 365)) == (12, 34)
    assert tokens.read_reply_token(tokens.reply_token(12, 34, day=today - 366)) is None


def test_a_members_list_is_hidden_from_visitors_and_only_members_post(
    entraide: MailingList, outsider: User
) -> None:
    claire = member("Claire Dubois", "BEES coop")
    thread = services.start_thread(entraide, author=claire, subject="Stock", body="Hello")
    assert Client().get("/en/lists/entraide/").status_code == 404
    assert Client().get(f"/en/threads/{thread.pk}/").status_code == 404
    assert logged_in(outsider).get("/en/lists/entraide/new/").status_code == 404
    public = MailingList.objects.create(
        name="Logistique", slug="logistique", local_part="logistique", read_access="public"
    )
    assert Client().get("/en/lists/logistique/").status_code == 200
    assert logged_in(outsider).get("/en/lists/logistique/new/").status_code == 403
    answer = logged_in(outsider).post(f"/en/threads/{thread.pk}/reply/", {"body": "Hi"})
    assert answer.status_code == 404
    assert public.threads.count() == 0


def test_a_member_replies_quoting_and_edits_within_fifteen_minutes(
    entraide: MailingList,
) -> None:
    claire, anna = member("Claire Dubois", "BEES coop"), member("Anna Huber", "FoodHub")
    thread = services.start_thread(entraide, author=claire, subject="Stock", body="Line one")
    first = thread.posts.get()
    page = logged_in(anna).get(f"/en/threads/{thread.pk}/?reply={first.pk}")
    assert page.context["reply_form"].initial == {
        "parent": first.pk,
        "body": "Claire Dubois (BEES coop):\n> Line one\n\n",
    }
    logged_in(anna).post(
        f"/en/threads/{thread.pk}/reply/", {"body": "Answer", "parent": str(first.pk)}
    )
    reply = thread.posts.last()
    assert (reply.author, reply.parent) == (anna, first)

    edited = logged_in(anna).post(f"/en/posts/{reply.pk}/edit/", {"body": "Better answer"})
    assert edited.status_code == 302
    reply.refresh_from_db()
    assert (reply.body, reply.edited_at is not None) == ("Better answer", True)
    reply.created_at = timezone.now() - datetime.timedelta(minutes=16)
    reply.save(update_fields=["created_at"])
    late = logged_in(anna).post(f"/en/posts/{reply.pk}/edit/", {"body": "Too late"}, follow=True)
    assert "within 15 minutes" in late.content.decode()
    reply.refresh_from_db()
    assert reply.body == "Better answer"
    assert logged_in(claire).post(f"/en/posts/{reply.pk}/edit/", {"body": "x"}).status_code == 302
    reply.refresh_from_db()
    assert reply.body == "Better answer"


def test_an_empty_answer_is_refused_and_nothing_is_sent(entraide: MailingList) -> None:
    claire = member("Claire Dubois", "BEES coop")
    thread = services.start_thread(entraide, author=claire, subject="Stock", body="Hello")
    answer = logged_in(claire).post(f"/en/threads/{thread.pk}/reply/", {"body": "   "})
    assert answer.status_code == 400
    assert thread.posts.count() == 1


def test_the_author_marks_it_solved_and_the_practice_base_finds_it(
    entraide: MailingList, facilitator: User
) -> None:
    claire, anna = member("Claire Dubois", "BEES coop"), member("Anna Huber", "FoodHub")
    thread = services.start_thread(
        entraide, author=claire, subject="Rappels de créneaux", body="Les rappels sont partis ?"
    )
    answer = services.reply(thread, author=anna, body="Le modèle d'e-mail a perdu son champ.")
    other = logged_in(anna).post(f"/en/threads/{thread.pk}/solved/", {"answer": answer.pk})
    assert other.status_code == 403  # not her question
    logged_in(claire).post(f"/en/threads/{thread.pk}/solved/", {"answer": answer.pk})
    thread.refresh_from_db()
    assert thread.answer == answer

    found = logged_in(anna).get("/en/practice/", {"q": "rappel"})
    [(row, question, accepted)] = found.context["rows"]
    assert (row, question.body, accepted) == (thread, "Les rappels sont partis ?", answer)
    assert logged_in(anna).get("/en/practice/", {"q": "facturation"}).context["rows"] == []
    assert Client().get("/en/practice/").context["rows"] == []  # a members-only list


def test_one_click_leaves_the_list_without_login_and_a_get_only_asks(
    entraide: MailingList,
) -> None:
    anna = member("Anna Huber", "FoodHub")
    services.subscribe(entraide, user=anna, delivery=Delivery.EVERY)
    path = f"/en/lists/unsubscribe/{tokens.unsubscribe_token(entraide.pk, anna.pk)}/"
    client = Client(enforce_csrf_checks=True)
    assert client.get(path).status_code == 200
    assert Subscription.objects.filter(user=anna).exists()
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscription.objects.filter(user=anna).exists()
    assert client.post(path).status_code == 200
    assert client.post("/en/lists/unsubscribe/t1u1xaaaa/").status_code == 400


@pytest.mark.parametrize("count", [1, 3])
def test_list_pages_run_a_bounded_number_of_queries(
    entraide: MailingList, django_assert_num_queries, count: int
) -> None:
    claire = member("Claire Dubois", "BEES coop")
    for n in range(count):  # each about a need of its own topic, and one without any
        tag = Tag.objects.create(name=f"Topic {n}", slug=f"topic-{n}")
        thread = solved_thread(entraide, claire, f"T{n}", tag)
        solved_thread(entraide, claire, f"Loose {n}")
    client = logged_in(claire)
    # The same whatever the number of threads, posts and topics.
    expected = {
        "/en/lists/": 5,
        "/en/lists/entraide/": 7,
        # session, user, membership, the topics, their threads, the others, the lists' filter
        "/en/practice/": 7,
        # … the threads' count and page, their questions and answers, instead of topics
        "/en/practice/?solved=yes": 9,
        # … with the posts' attachments, and those of the question and its answer shown first
        f"/en/threads/{thread.pk}/": 14,
    }
    for url, queries in expected.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_the_dashboard_offers_a_member_the_lists_they_do_not_read_yet(
    entraide: MailingList, outsider: User
) -> None:
    claire = member("Claire Dubois", "BEES coop")
    client = logged_in(claire)
    assert client.get("/en/dashboard/").context["lists_to_offer"] == [entraide]
    client.post("/en/lists/entraide/subscription/", {"delivery": "every"})
    assert Subscription.objects.get(user=claire).delivery == Delivery.EVERY
    assert client.get("/en/dashboard/").context["lists_to_offer"] == []
    assert logged_in(outsider).get("/en/dashboard/").context["lists_to_offer"] == []


class Forms(HTMLParser):
    """The forms of a page as a browser without JavaScript sees them: each one's action and
    its inputs (type, name, value, checked) with the text of their labels."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.labels: dict[str, str] = {}
        self._label: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attributes.get("action"), "inputs": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append(attributes)
        elif tag == "label":
            self._label = attributes.get("for")
            self.labels[self._label or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label = None

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self.labels[self._label] += data.strip()


def test_the_dashboard_offers_each_list_with_the_three_ways_to_read_it(
    entraide: MailingList,
) -> None:
    logistique = MailingList.objects.create(
        name="Logistique", slug="logistique", local_part="logistique"
    )
    claire = member("Claire Dubois", "BEES coop")
    client = logged_in(claire)
    page = Forms()
    page.feed(client.get("/en/dashboard/").content.decode())
    offers = {f["action"]: f["inputs"] for f in page.forms if "/subscription/" in f["action"]}
    assert list(offers) == [
        "/en/lists/entraide/subscription/",
        "/en/lists/logistique/subscription/",
    ]
    radios = [i for i in offers["/en/lists/logistique/subscription/"] if i["type"] == "radio"]
    assert [(r["value"], page.labels[r["id"]], "checked" in r) for r in radios] == [
        ("every", "Every message", True),
        ("digest", "Daily digest", False),
        ("web", "Web only", False),
    ]
    # What the browser sends once "Daily digest" is picked: the form's own fields.
    fields = {i["name"]: i["value"] for i in offers["/en/lists/logistique/subscription/"]}
    client.post("/en/lists/logistique/subscription/", {**fields, "delivery": "digest"})
    subscription = Subscription.objects.get(user=claire)
    assert (subscription.mailing_list, subscription.delivery) == (logistique, Delivery.DIGEST)
    assert client.get("/en/dashboard/").context["lists_to_offer"] == [entraide]


def test_a_thread_started_on_the_web_names_the_needs_it_is_about(entraide: MailingList) -> None:
    from komunigi.needs.tests.factories import NeedFactory

    claire = member("Claire Dubois", "BEES coop")
    need = NeedFactory(title="Stock")
    client = logged_in(claire)
    refused = client.post(
        "/en/lists/entraide/new/",
        {"subject": "Stock", "body": "Who else?", "needs": f"#{need.pk}, #999999"},
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors["needs"] == ["No need has the number #999999."]
    assert refused.context["form"]["body"].value() == "Who else?"
    assert entraide.threads.count() == 0

    client.post(
        "/en/lists/entraide/new/",
        {"subject": "Stock", "body": "Who else?", "needs": f"#{need.pk}"},
    )
    thread = entraide.threads.get()
    assert list(thread.needs.all()) == [need]
    assert f"{need.reference} Stock" in client.get(thread.get_absolute_url()).content.decode()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_answer_carries_an_image_within_the_needs_limits(
    entraide: MailingList, outsider: User, settings, tmp_path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    claire, anna = member("Claire Dubois", "BEES coop"), member("Anna Huber", "FoodHub")
    services.subscribe(entraide, user=claire, delivery=Delivery.EVERY)
    thread = services.start_thread(entraide, author=claire, subject="Labels", body="Show me")
    client = logged_in(anna)
    refused = client.post(
        f"/en/threads/{thread.pk}/reply/",
        {"body": "Here", "file": SimpleUploadedFile("run.exe", b"MZ\x90\x00binary")},
    )
    assert refused.status_code == 400
    assert refused.context["reply_form"].errors["file"] == [
        "Only images (PNG, JPEG, GIF, WebP) and PDF files."
    ]
    assert refused.context["reply_form"]["body"].value() == "Here"

    client.post(
        f"/en/threads/{thread.pk}/reply/",
        {"body": "Here", "file": SimpleUploadedFile("label.png", PNG)},
    )
    [attachment] = thread.posts.last().attachments.all()
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "label.png",
        "image/png",
        len(PNG),
    )
    served = client.get(attachment.get_absolute_url())
    assert (served["Content-Type"], b"".join(served.streaming_content)) == ("image/png", PNG)
    assert served["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert logged_in(outsider).get(attachment.get_absolute_url()).status_code == 404
    [sent] = outbox.OutboxMessage.objects.filter(to=claire.email, kind="list-post")
    assert f"- label.png: http://127.0.0.1:8000/en/attachments/{attachment.pk}/" in sent.body_text


def test_the_practice_base_is_filtered_by_list(entraide: MailingList) -> None:
    logistique = MailingList.objects.create(
        name="Logistique", slug="logistique", local_part="logistique"
    )
    claire = member("Claire Dubois", "BEES coop")
    for mailing_list in (entraide, logistique):
        thread = services.start_thread(mailing_list, author=claire, subject="Q", body="b")
        answer = services.reply(thread, author=claire, body="a")
        services.mark_solved(thread, actor=claire, answer=answer)
    page = logged_in(claire).get("/en/practice/", {"list": "logistique"})
    assert [row[0].mailing_list for row in page.context["rows"]] == [logistique]
    assert len(logged_in(claire).get("/en/practice/", {"solved": "yes"}).context["rows"]) == 2


def solved_thread(mailing_list: MailingList, author: User, subject: str, *tags: Tag) -> Thread:
    from komunigi.needs.tests.factories import NeedFactory

    needs = []
    for tag in tags:
        needs.append(NeedFactory(title=f"About {tag.name}"))
        needs[-1].tags.set([tag])
    thread = services.start_thread(
        mailing_list, author=author, subject=subject, body="Any idea?", needs=needs
    )
    answer = services.reply(thread, author=author, body="Found it.")
    services.mark_solved(thread, actor=author, answer=answer)
    return thread


def test_the_practice_base_shows_its_topics_with_their_latest_solved_threads(
    entraide: MailingList,
) -> None:
    claire = member("Claire Dubois", "BEES coop")
    stock = Tag.objects.create(name="Stock", slug="stock")
    pos = Tag.objects.create(name="Point of sale", slug="pos")
    counting = [solved_thread(entraide, claire, f"Counting {n}", stock) for n in range(6)]
    solved_thread(entraide, claire, "Till and stock", pos, stock)
    solved_thread(entraide, claire, "Two needs, one tag", pos, pos)
    loose = solved_thread(entraide, claire, "Shift reminders")
    services.start_thread(entraide, author=claire, subject="Open", body="?", needs=[])  # unsolved

    page = logged_in(claire).get("/en/practice/")
    topics = [(tag.name, [t.subject for t in threads]) for tag, threads in page.context["topics"]]
    assert topics == [
        ("Point of sale", ["Two needs, one tag", "Till and stock"]),
        # The latest five of its seven; the link leads to all of them.
        ("Stock", ["Till and stock", *[t.subject for t in reversed(counting[2:])]]),
    ]
    assert [t.subject for t in page.context["others"]] == [loose.subject]
    html = page.content.decode()
    assert html.count('href="?tag=stock"') == 1
    assert "The 7 questions on Stock with their answers" in html

    # A search, or a filter, lists the threads with their question and answer first.
    found = logged_in(claire).get("/en/practice/", {"tag": "stock"})
    assert [row[0].subject for row in found.context["rows"]] == [
        "Till and stock",
        *[t.subject for t in reversed(counting)],
    ]
