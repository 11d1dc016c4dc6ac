"""The benchmark's data: the demo community, then every table grown in proportion to ``scale``
(100 is about a hundred times a real community), written with bulk inserts.

At scale 100: about 1 600 organisations (1 000 supermarkets), 4 800 people, 20 000 needs with
some 200 000 interests, comments and quotes, 2 000 meetings with their invitations,
attendances and ballots, 500 campaigns (a few with a pledge from every supermarket) and about
100 000 ledger lines. Every ledger transaction sums to zero, as the ledger's rules want."""

import datetime
import random
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from komunigi.commons.models import (
    Dependency,
    Installation,
    Module,
    ModuleVersion,
    NeedModule,
    Repository,
)
from komunigi.community.demo import ORGANISATIONS, load_demo_community
from komunigi.community.models import (
    JoinRequest,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    User,
)
from komunigi.discussions.demo import load_demo_lists
from komunigi.discussions.models import HeldMessage, HeldReason, MailingList, Post, Thread
from komunigi.funding.demo import load_demo_funding
from komunigi.funding.models import (
    Account,
    AccountKind,
    Campaign,
    CampaignStatus,
    Fee,
    FeeTier,
    LedgerLine,
    LedgerTransaction,
    MaintainedModule,
    MaintenancePlan,
    Pledge,
    TransactionKind,
)
from komunigi.funding.models import Commitment as MaintenanceCommitment
from komunigi.funding.services import maintenance, maintenance_joins
from komunigi.markdown import render_markdown
from komunigi.meetings.demo import load_demo_meetings
from komunigi.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionBallot,
    DecisionStatus,
    Invitation,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    Reply,
    Visibility,
)
from komunigi.needs.demo import load_demo_needs
from komunigi.needs.models import (
    Ballot,
    Comment,
    Interest,
    Need,
    Priority,
    PriorityRound,
    Quote,
    QuoteStatus,
    RoundStatus,
)
from komunigi.news.demo import load_demo_news
from komunigi.news.models import Issue, IssueStatus, Subscriber, SubscriberStatus
from komunigi.news.services import address_hash, new_key

# Per unit of scale: needs, and for each need at most this many interests, comments, quotes.
NEEDS = 200
INTERESTS = 7
COMMENTS = 2
MEETINGS = 20
MEETING_SIZE = 10  # supermarkets invited to, and present at, a generated meeting
CAMPAIGNS = 5
PLEDGES = 30  # most campaigns; one in ten has a pledge from every supermarket
FEE_YEARS = (2023, 2024, 2025)
NEWSLETTER_ISSUES = 5  # a few issues a year
NEWSLETTER_SUBSCRIBERS = 100
THREADS = 50  # mailing-list threads, of POSTS_PER_THREAD posts on average
POSTS_PER_THREAD = 5
HELD = 2  # messages waiting for moderation
MODULES = 30  # modules in the commons catalogue, each on three series
BATCH = 2_000

M = TypeVar("M", bound=models.Model)


def populate(scale: int, report: Callable[[str], None] = lambda line: None) -> None:
    """The demo, plus ``scale - 1`` copies of its organisations with their people, and every
    other table grown ``scale`` times."""
    load_demo_community()
    load_demo_needs()
    load_demo_meetings()
    load_demo_funding()
    load_demo_news()
    load_demo_lists()
    rng = random.Random(scale)  # noqa: S311 - the same data for the same scale, run after run
    with transaction.atomic():
        organisations = _organisations(scale)
        _people(organisations)
        report(f"  {Organisation.objects.count()} organisations, {User.objects.count()} people")
        needs = _needs(scale, rng)
        report(f"  {len(needs)} needs and their interests, comments and quotes")
        _rounds(scale, needs, rng)
        _meetings(scale, rng)
        report(f"  {Meeting.objects.count()} meetings")
        _campaigns(scale, needs, rng)
        _fees()
        report(f"  {Campaign.objects.count()} campaigns, {LedgerLine.objects.count()} ledger lines")
        _collecting_campaign(rng)
        _join_requests(scale)
        _newsletter(scale)
        _threads(scale, rng)
        _modules(scale)
        _funded_maintenance(_maintenance())
        report(f"  {Thread.objects.count()} threads, {Post.objects.count()} list posts")
        report(f"  {Module.objects.count()} modules, {Installation.objects.count()} run by members")
        report(
            f"  {Issue.objects.count()} newsletter issues, {Subscriber.objects.count()} subscribers"
        )
    # A real database keeps its planner's statistics up to date (autovacuum); freshly bulk
    # loaded tables have none, and their plans would be the benchmark's, not the pages'.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _bulk(model: type[M], rows: Iterable[M]) -> list[M]:
    return model._default_manager.bulk_create(rows, batch_size=BATCH)


def _organisations(scale: int) -> list[Organisation]:
    return _bulk(
        Organisation,
        (
            Organisation(
                name=f"{demo.name} {n}",
                slug=f"{demo.slug}-{n}",
                kind=demo.kind,
                status=OrganisationStatus.MEMBER,
                country=demo.country,
                city=demo.city,
                languages=list(demo.languages),
                description=demo.description,
                member_households=demo.member_households,
                joined_on=datetime.date(2023, 1, 1),
            )
            for n in range(1, scale)
            for demo in ORGANISATIONS
        ),
    )


def _people(organisations: list[Organisation]) -> list[User]:
    roles = (Role.REPRESENTATIVE, Role.SUBSTITUTE, Role.MEMBER)
    users = _bulk(
        User,
        (
            User(email=f"person{n}-{o.slug}@bench.example", full_name=f"Person {n} {o.name}")
            for o in organisations
            for n in range(len(roles))
        ),
    )
    _bulk(
        Membership,
        (
            Membership(user=user, organisation=organisations[i // 3], role=roles[i % 3])
            for i, user in enumerate(users)
        ),
    )
    return users


def _supermarkets() -> list[Organisation]:
    return list(Organisation.objects.member_supermarkets().order_by("pk"))


def _representatives() -> dict[int, int]:
    return dict(
        Membership.objects.filter(role=Role.REPRESENTATIVE).values_list(
            "organisation_id", "user_id"
        )
    )


STATUSES = ["open"] * 10 + ["quoted"] * 4 + ["delivered"] * 2 + ["closed", "draft", "withdrawn"]


def _needs(scale: int, rng: random.Random) -> list[Need]:
    supermarkets = _supermarkets()
    providers = list(Organisation.objects.members().filter(kind=OrganisationKind.PROVIDER))
    voices = _representatives()
    long_ago = timezone.now() - datetime.timedelta(days=400)
    needs = _bulk(
        Need,
        (
            Need(
                title=f"Besoin mutualisé {n} : rapport des ventes par rayon",
                problem="Aujourd'hui chacun exporte les ventes à la main. " * 4,
                expected_outcome="Un rapport partagé, dans Odoo.",
                organisation=(owner := rng.choice(supermarkets)),
                author_id=voices[owner.pk],
                odoo_series="12.0",
                status=rng.choice(STATUSES),
                status_changed_at=long_ago + datetime.timedelta(minutes=n),
            )
            for n in range(NEEDS * scale)
        ),
    )
    interests, comments, quotes = [], [], []
    valid = timezone.localdate() + datetime.timedelta(days=90)
    for need in needs:
        for supermarket in rng.sample(supermarkets, rng.randint(0, INTERESTS)):
            interests.append(
                Interest(
                    need=need,
                    organisation=supermarket,
                    priority=rng.choice(Priority.values),
                    created_by_id=voices[supermarket.pk],
                )
            )
        for n in range(rng.randint(0, COMMENTS)):
            comments.append(
                Comment(need=need, author_id=need.author_id, body=f"Nous aussi, {n} fois.")
            )
        if need.status in ("quoted", "delivered", "closed"):
            provider = rng.choice(providers)
            quotes.append(
                Quote(
                    need=need,
                    provider=provider,
                    author_id=voices[provider.pk],
                    amount=Decimal(rng.randint(5, 300) * 100),
                    scope="Le rapport, ses tests et sa documentation.",
                    estimated_days=Decimal(rng.randint(1, 20)),
                    valid_until=valid,
                    status=QuoteStatus.PROPOSED
                    if need.status == "quoted"
                    else QuoteStatus.ACCEPTED,
                )
            )
    _bulk(Interest, interests)
    _bulk(Comment, comments)
    _bulk(Quote, quotes)
    return needs


def _rounds(scale: int, needs: list[Need], rng: random.Random) -> None:
    """Closed priority rounds of 20 candidates, ranked by 50 supermarkets each."""
    supermarkets = _supermarkets()
    voices = _representatives()
    rankable = [n for n in needs if n.status in ("open", "quoted")]
    for n in range(scale):
        candidates = rng.sample(rankable, min(20, len(rankable)))
        priority_round = PriorityRound.objects.create(
            title=f"Priorités {n}",
            deadline=timezone.now() - datetime.timedelta(days=30 + n),
            status=RoundStatus.CLOSED,
            closed_at=timezone.now() - datetime.timedelta(days=30 + n),
            electorate=len(supermarkets),
            result={
                "order": [[c.pk] for c in candidates],
                "pairwise": {str(c.pk): {} for c in candidates},
                "strongest_paths": {},
            },
        )
        priority_round.candidates.set(candidates)
        _bulk(
            Ballot,
            (
                Ballot(
                    round=priority_round,
                    organisation=voter,
                    cast_by_id=voices[voter.pk],
                    ranking=[[c.pk] for c in rng.sample(candidates, len(candidates))],
                )
                for voter in rng.sample(supermarkets, min(50, len(supermarkets)))
            ),
        )


def _meetings(scale: int, rng: random.Random) -> None:
    """Past users' meetings, each with its invitations, attendance, a decision and ballots."""
    supermarkets = _supermarkets()
    voices = _representatives()
    start = timezone.now() - datetime.timedelta(days=30 * MEETINGS * scale // 10)
    meetings = _bulk(
        Meeting,
        (
            Meeting(
                kind=MeetingKind.USERS,
                title=f"Rencontre des utilisateurs {n}",
                starts_at=start + datetime.timedelta(days=n),
                place="En ligne",
                visibility=Visibility.PUBLIC if n % 4 == 0 else Visibility.MEMBERS,
                status=MeetingStatus.CLOSED,
                minutes="Compte rendu.",
                minutes_status=MinutesStatus.PUBLISHED,
                quorum_base=len(supermarkets),
            )
            for n in range(MEETINGS * scale)
        ),
    )
    items = _bulk(
        AgendaItem,
        (
            AgendaItem(meeting=m, position=1, kind=ItemKind.DECISION, title="Une décision")
            for m in meetings
        ),
    )
    decisions = _bulk(
        Decision,
        (
            Decision(item=item, status=DecisionStatus.CLOSED, outcome="approved", represented=8)
            for item in items
        ),
    )
    invitations, attendances, ballots = [], [], []
    for meeting, decision in zip(meetings, decisions, strict=True):
        for supermarket in rng.sample(supermarkets, min(MEETING_SIZE, len(supermarkets))):
            person = voices[supermarket.pk]
            invitations.append(
                Invitation(
                    meeting=meeting,
                    user_id=person,
                    organisation=supermarket,
                    reply=Reply.ATTENDING,
                )
            )
            attendances.append(
                Attendance(meeting=meeting, organisation=supermarket, person_id=person)
            )
            ballots.append(
                DecisionBallot(
                    decision=decision, organisation=supermarket, choice="yes", cast_by_id=person
                )
            )
    _bulk(Invitation, invitations)
    _bulk(Attendance, attendances)
    _bulk(DecisionBallot, ballots)


def _campaigns(scale: int, needs: list[Need], rng: random.Random) -> None:
    """Funded campaigns on delivered and closed needs, their shares and payments in the
    ledger; one campaign in ten has a pledge from every supermarket."""
    supermarkets = _supermarkets()
    voices = _representatives()
    quotes = {q.need_id: q for q in Quote.objects.filter(status=QuoteStatus.ACCEPTED)}
    built = [n for n in needs if n.pk in quotes][: CAMPAIGNS * scale]
    closed_at = timezone.now() - datetime.timedelta(days=200)
    campaigns = _bulk(
        Campaign,
        (
            Campaign(
                need=need,
                quote=quotes[need.pk],
                overhead_rate=Decimal("0.05"),
                cost=quotes[need.pk].amount,
                deadline=closed_at,
                minimum_supermarkets=2,
                status=CampaignStatus.FUNDED,
                closed_at=closed_at,
            )
            for need in built
        ),
    )
    pledges: list[Pledge] = []
    shares: dict[int, list[tuple[Organisation, Decimal]]] = {}
    raised: dict[int, tuple[Decimal, Decimal]] = {}  # to raise, overhead
    for n, campaign in enumerate(campaigns):
        pledgers = (
            supermarkets
            if n % 10 == 0
            else rng.sample(supermarkets, min(PLEDGES, len(supermarkets)))
        )
        to_raise = (campaign.cost * Decimal("1.05")).quantize(Decimal("0.01"))
        cents, count = int(to_raise * 100), len(pledgers)
        each = [Decimal(cents // count + (i < cents % count)) / 100 for i in range(count)]
        shares[campaign.pk] = list(zip(pledgers, each, strict=True))
        campaign.to_raise, campaign.overhead = to_raise, to_raise - campaign.cost
        raised[campaign.pk] = (to_raise, to_raise - campaign.cost)
        pledges += [
            Pledge(campaign=campaign, organisation=o, pledged_by_id=voices[o.pk]) for o in pledgers
        ]
    Campaign.objects.bulk_update(campaigns, ["to_raise", "overhead"], batch_size=BATCH)
    _bulk(Pledge, pledges)
    accounts = _accounts(campaigns)
    fund, outside = accounts["fund"], accounts["outside"]
    entries: list[tuple[LedgerTransaction, list[tuple[Account, Decimal]]]] = []
    for campaign in campaigns:
        pot = accounts[f"campaign:{campaign.pk}"]
        provider = accounts[f"provider:{campaign.quote.provider_id}"]
        to_raise, overhead = raised[campaign.pk]
        lines = [(accounts[f"organisation:{o.pk}"], -amount) for o, amount in shares[campaign.pk]]
        lines += [
            (pot, to_raise),
            (pot, -campaign.cost),
            (provider, campaign.cost),
            (pot, -overhead),
            (fund, overhead),
        ]
        entries.append((_entry(TransactionKind.CAMPAIGN_FUNDED, campaign, closed_at), lines))
        for organisation, amount in shares[campaign.pk][: PLEDGES // 2]:  # half paid already
            entries.append(
                (
                    _entry(TransactionKind.PAYMENT_RECEIVED, campaign, closed_at),
                    [(accounts[f"organisation:{organisation.pk}"], amount), (outside, -amount)],
                )
            )
    _post(entries)


def _collecting_campaign(rng: random.Random) -> Campaign:
    """A campaign collecting pledges from every supermarket: a tenth capped, a tenth waiting
    for their board. Its page and live split are the ones that grow with pledges."""
    supermarkets = _supermarkets()
    voices = _representatives()
    provider = Organisation.objects.members().filter(kind=OrganisationKind.PROVIDER).first()
    if provider is None:
        raise ValueError("the demo has providers")
    need = Need.objects.create(
        title="Besoin en cofinancement : commandes groupées aux fournisseurs",
        problem="Chaque supermarché commande seul.",
        expected_outcome="Des commandes groupées.",
        organisation=supermarkets[0],
        author_id=voices[supermarkets[0].pk],
        status="funding",
    )
    quote = Quote.objects.create(
        need=need,
        provider=provider,
        author_id=voices[provider.pk],
        amount=Decimal("120000.00"),
        scope="Tout.",
        estimated_days=Decimal(60),
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
        status=QuoteStatus.ACCEPTED,
    )
    campaign = Campaign.objects.create(
        need=need,
        quote=quote,
        overhead_rate=Decimal("0.05"),
        cost=quote.amount,
        deadline=timezone.now() + datetime.timedelta(days=20),
        minimum_supermarkets=10,
    )
    _bulk(
        Pledge,
        (
            Pledge(
                campaign=campaign,
                organisation=o,
                pledged_by_id=voices[o.pk],
                cap=Decimal(rng.randint(50, 150)) if n % 10 == 1 else None,
                needs_board_approval=n % 10 == 2,
            )
            for n, o in enumerate(supermarkets)
        ),
    )
    return campaign


def _entry(kind: str, campaign: Campaign | None, at: datetime.datetime, **fields: Any) -> Any:
    return LedgerTransaction(
        kind=kind, date=at.date(), campaign=campaign, description=str(kind), **fields
    )


def _post(entries: list[tuple[LedgerTransaction, list[tuple[Account, Decimal]]]]) -> None:
    """Write transactions and their lines in bulk; each sums to zero, as the ledger wants."""
    for _transaction, lines in entries:
        if sum(amount for _account, amount in lines) != 0:
            raise ValueError("a benchmark transaction does not sum to zero")
    saved = _bulk(LedgerTransaction, [t for t, _lines in entries])
    _bulk(
        LedgerLine,
        (
            LedgerLine(transaction=t, account=account, amount=amount)
            for t, (_t, lines) in zip(saved, entries, strict=True)
            for account, amount in lines
            if amount
        ),
    )


def _accounts(campaigns: list[Campaign]) -> dict[str, Account]:
    """Every account the generated entries touch, created in bulk where missing."""
    wanted: dict[str, dict[str, Any]] = {
        "fund": {"kind": AccountKind.FUND},
        "outside": {"kind": AccountKind.OUTSIDE},
    }
    for organisation in Organisation.objects.members():
        wanted[f"organisation:{organisation.pk}"] = {
            "kind": AccountKind.ORGANISATION,
            "organisation": organisation,
        }
        if organisation.kind == OrganisationKind.PROVIDER:
            wanted[f"provider:{organisation.pk}"] = {
                "kind": AccountKind.PROVIDER,
                "organisation": organisation,
            }
    for campaign in campaigns:
        wanted[f"campaign:{campaign.pk}"] = {"kind": AccountKind.CAMPAIGN, "campaign": campaign}
    existing = set(Account.objects.values_list("key", flat=True))
    _bulk(Account, (Account(key=k, **f) for k, f in wanted.items() if k not in existing))
    return {a.key: a for a in Account.objects.all()}


def _fees() -> None:
    """Three years of fees for every paying member, most of them paid."""
    tier = FeeTier.objects.filter(is_default=True).first() or FeeTier.objects.first()
    if tier is None:
        return
    payers = list(
        Organisation.objects.members().exclude(kind=OrganisationKind.STAKEHOLDER).order_by("pk")
    )
    fees = _bulk(
        Fee,
        (
            Fee(organisation=o, year=year, tier=tier, amount=tier.yearly_amount)
            for year in FEE_YEARS
            for o in payers
        ),
    )
    accounts = _accounts([])
    fund, outside = accounts["fund"], accounts["outside"]
    entries = []
    for number, fee in enumerate(fees):
        account = accounts[f"organisation:{fee.organisation_id}"]
        at = timezone.make_aware(datetime.datetime(fee.year, 2, 1))
        entries.append(
            (
                _entry(TransactionKind.FEE, None, at, fee=fee),
                [(account, -fee.amount), (fund, fee.amount)],
            )
        )
        if number % 5:
            entries.append(
                (
                    _entry(TransactionKind.PAYMENT_RECEIVED, None, at, fee=fee),
                    [(account, fee.amount), (outside, -fee.amount)],
                )
            )
    _post(entries)


def _join_requests(scale: int) -> None:
    _bulk(
        JoinRequest,
        (
            JoinRequest(
                organisation_name=f"Future coop {n}",
                kind="supermarket",
                country="FR",
                contact_name=f"Contact {n}",
                contact_email=f"contact{n}@bench.example",
                consent=True,
                language="fr",
            )
            for n in range(scale * 5)
        ),
    )


def _newsletter(scale: int) -> None:
    start = timezone.now() - datetime.timedelta(days=70 * NEWSLETTER_ISSUES * scale)
    body = "Des **nouvelles** de la communauté : rencontres, cofinancements, partenaires.\n" * 20
    _bulk(
        Issue,
        (
            Issue(
                slug=f"lettre-{n}",
                status=IssueStatus.SENT,
                title_fr=f"Lettre d'information n° {n}",
                body_fr=body,
                title_en=f"Newsletter no. {n}",
                body_en=body,
                published_at=start + datetime.timedelta(days=70 * n),
                sent_at=start + datetime.timedelta(days=70 * n, minutes=30),
            )
            for n in range(NEWSLETTER_ISSUES * scale)
        ),
    )
    languages = ("fr", "fr", "fr", "nl", "en", "de", "es")
    now = timezone.now()
    _bulk(
        Subscriber,
        (
            Subscriber(
                email=f"reader{n}@bench.example",
                address_hash=address_hash(f"reader{n}@bench.example"),
                language=languages[n % len(languages)],
                status=SubscriberStatus.PENDING if n % 10 == 0 else SubscriberStatus.CONFIRMED,
                source="web",
                key=new_key(),
                requested_at=now,
                consent_at=None if n % 10 == 0 else now,
            )
            for n in range(NEWSLETTER_SUBSCRIBERS * scale)
        ),
    )


def _threads(scale: int, rng: random.Random) -> None:
    lists = list(MailingList.objects.all())
    authors = list(User.objects.filter(memberships__isnull=False).values_list("pk", flat=True))
    start = timezone.now() - datetime.timedelta(days=THREADS * scale)
    threads = _bulk(
        Thread,
        (
            Thread(
                mailing_list=lists[n % len(lists)],
                subject=f"Question n° {n} : rappels de créneaux et modèles d'e-mails",
                author_id=rng.choice(authors),
                created_at=start + datetime.timedelta(hours=n),
                last_activity_at=start + datetime.timedelta(hours=n + 5),
                post_count=POSTS_PER_THREAD,
            )
            for n in range(THREADS * scale)
        ),
    )
    body = "Chez nous, le planificateur envoie les rappels la veille du créneau. " * 6
    html = render_markdown(body)  # as the services store it, rendered once here
    _bulk(
        Post,
        (
            Post(
                thread=thread,
                author_id=rng.choice(authors),
                body=f"{body}\n\nRéponse {k} au fil {thread.pk}.",
                body_html=f"{html}<p>Réponse {k} au fil {thread.pk}.</p>",
                message_id=f"<bench-{thread.pk}-{k}@komunigi.localhost>",
                created_at=thread.created_at + datetime.timedelta(hours=k),
            )
            for thread in threads
            for k in range(POSTS_PER_THREAD)
        ),
    )
    # One thread in four is solved by its last post.
    solved = threads[::4]
    last = dict(
        Post.objects.filter(thread__in=solved)
        .values("thread")
        .annotate(last=models.Max("pk"))
        .values_list("thread", "last")
    )
    for thread in solved:
        thread.answer_id, thread.solved_at = last[thread.pk], thread.last_activity_at
    Thread.objects.bulk_update(solved, ["answer", "solved_at"], batch_size=BATCH)
    _bulk(
        HeldMessage,
        (
            HeldMessage(
                mailing_list=lists[n % len(lists)],
                recipient=lists[n % len(lists)].address,
                sender=f"visitor{n}@elsewhere.example",
                sender_name=f"Visiteur {n}",
                subject=f"Question d'une coopérative qui n'est pas membre n° {n}",
                text=body,
                raw=b"",
                reason=HeldReason.NOT_A_MEMBER,
            )
            for n in range(HELD * scale)
        ),
    )


RUN = 20  # modules each supermarket runs on 12.0


def _modules(scale: int) -> None:
    repository = Repository.objects.create(url="https://github.com/bench/odoo-addons")
    modules = _bulk(
        Module, (Module(technical_name=f"coop_module_{n}") for n in range(MODULES * scale))
    )
    _bulk(
        ModuleVersion,
        (
            ModuleVersion(
                module=module,
                series=series,
                name=f"Coop module {module.pk}",
                summary="A module of the community",
                version=f"{series}.1.0.0",
                license="AGPL-3",
                authors=["BEES coop", "Coop IT Easy"],
                core_depends=["mail", "point_of_sale"],
                community_depends=[f"coop_module_{n}" for n in range(2)],
                repository=repository,
                path=f"{module.technical_name}/__manifest__.py",
            )
            for module in modules
            for series in ("9.0", "12.0", "16.0")
            # A third not migrated to 16.0 yet: the planner has work to order.
            if series != "16.0" or module.pk % 3
        ),
    )
    _bulk(
        Dependency,
        (
            Dependency(version=version, name=name)
            for version in ModuleVersion.objects.filter(repository=repository)
            for name in version.community_depends
        ),
    )
    # Who runs what: each supermarket twenty modules on 12.0, spread over the catalogue.
    supermarkets = _supermarkets()
    _bulk(
        Installation,
        (
            Installation(
                organisation=organisation,
                module=modules[(number * 7 + k) % len(modules)],
                series="12.0",
            )
            for number, organisation in enumerate(supermarkets)
            for k in range(RUN)
        ),
    )
    # The first module was produced by the funded needs.
    _bulk(
        NeedModule,
        (
            NeedModule(need_id=need_id, module=modules[0], produced=True)
            for need_id in Campaign.objects.filter(status=CampaignStatus.FUNDED)
            .values_list("need_id", flat=True)
            .distinct()[:10]
        ),
    )


MAINTAINED = 30  # modules of the maintenance plan


NEWCOMERS = 10  # organisations that joined the funded plan during its period


def _funded_maintenance(collecting: MaintenancePlan) -> MaintenancePlan:
    """The same modules and commitments in a plan funded through the ledger and well into its
    period, with newcomers since: its page says who shares it and who joined, and offers a
    facilitator the organisations that run a module but do not share it."""
    today = timezone.localdate()
    plan = MaintenancePlan.objects.create(
        title="Maintenance (funded)",
        provider=collecting.provider,
        series=collecting.series,
        starts_on=today - datetime.timedelta(days=200),
        ends_on=today + datetime.timedelta(days=164),
        deadline=timezone.now() - datetime.timedelta(days=210),
        included="Fixes",
        overhead_rate=collecting.overhead_rate,
    )
    covered = list(collecting.modules.all())
    _bulk(
        MaintainedModule,
        (MaintainedModule(plan=plan, module_id=m.module_id, cost=m.cost) for m in covered),
    )
    _bulk(
        MaintenanceCommitment,
        (
            MaintenanceCommitment(plan=plan, organisation_id=c.organisation_id)
            for c in collecting.commitments.all()
        ),
    )
    maintenance.close_plan(plan, actor=None)
    facilitator = User.objects.filter(is_facilitator=True).order_by("pk").first()
    if facilitator is None:
        raise ValueError("the demo has facilitators")
    module = covered[0].module
    runners = Installation.objects.filter(module=module, series=plan.series)
    newcomers = (
        Organisation.objects.members()
        .exclude(pk__in=runners.values("organisation"))
        .order_by("pk")[: NEWCOMERS + 5]
    )
    for number, organisation in enumerate(newcomers):
        Installation.objects.create(organisation=organisation, module=module, series=plan.series)
        if number < NEWCOMERS:  # the others wait for a facilitator
            maintenance_joins.join(
                plan,
                organisation,
                module,
                actor=facilitator,
                joined_on=plan.starts_on + datetime.timedelta(days=100 + number),
            )
    return plan


def _maintenance() -> MaintenancePlan:
    """A plan over the modules BEES coop runs and others, committed to by every supermarket
    that runs one of them: its page computes each module's split and each bill."""
    provider = Organisation.objects.members().filter(kind=OrganisationKind.PROVIDER).first()
    if provider is None:
        raise ValueError("the demo has providers")
    plan = MaintenancePlan.objects.create(
        title="Maintenance 2026",
        provider=provider,
        series="12.0",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        deadline=timezone.now() + datetime.timedelta(days=21),
        included="Fixes",
        overhead_rate=Decimal("0.05"),
    )
    bees = Installation.objects.filter(organisation__slug="bees-coop", series="12.0")
    covered = list(bees.values_list("module_id", flat=True))
    covered += list(
        Module.objects.exclude(pk__in=covered)
        .order_by("pk")
        .values_list("pk", flat=True)[: MAINTAINED - len(covered)]
    )
    _bulk(
        MaintainedModule,
        (MaintainedModule(plan=plan, module_id=pk, cost=Decimal("1200.00")) for pk in covered),
    )
    running = (
        Installation.objects.filter(series="12.0", module_id__in=covered)
        .order_by()
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    _bulk(
        MaintenanceCommitment,
        (MaintenanceCommitment(plan=plan, organisation_id=pk) for pk in running),
    )
    return plan
