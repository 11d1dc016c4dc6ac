"""Demo needs: the deck's co-financings, the developments it announces, and a dozen realistic
needs of cooperative supermarkets, with interest, comments, quotes and one closed round.

Idempotent: what exists (a need by title and organisation …) is left as it is.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from komunigi.community.demo import FACILITATOR
from komunigi.community.models import Organisation, Role, User
from komunigi.needs import lifecycle, rounds, services
from komunigi.needs.models import (
    Ballot,
    Need,
    NeedFollow,
    PriorityRound,
    Quote,
    QuoteStatus,
    RoundStatus,
    Tag,
)
from komunigi.notifications import events
from komunigi.notifications.events import Mode
from komunigi.notifications.services import update_preferences

DELIVERED_PATH = [
    lifecycle.OPEN,
    lifecycle.QUOTED,
    lifecycle.SCHEDULED,
    lifecycle.APPROVED,
    lifecycle.FUNDING,
    lifecycle.FUNDED,
    lifecycle.IN_PROGRESS,
    lifecycle.DELIVERED,
]


@dataclass(frozen=True)
class DemoQuote:
    provider: str
    amount: str
    days: str
    scope: str
    contribution: str = "0.00"
    accepted: bool = False


@dataclass(frozen=True)
class DemoNeed:
    title: str
    organisation: str
    tags: tuple[str, ...]
    problem: str
    outcome: str
    status: str
    interest: dict[str, str] = field(default_factory=dict)  # slug → priority
    quotes: tuple[DemoQuote, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()  # (author's e-mail, text)
    age_days: int = 30


NEEDS = [
    DemoNeed(
        "Migration d'Odoo 9 à Odoo 12",
        "bees-coop",
        ("migration",),
        "Nos bases tournent encore sous Odoo 9, qui n'est plus maintenu : plus de correctifs "
        "de sécurité, et les nouveaux modules de la communauté ne s'installent pas.",
        "Les bases de six supermarchés migrées en Odoo 12, avec les modules communs "
        "(shifts, parts sociales, caisse) portés et testés.",
        lifecycle.DELIVERED,
        {
            "bees-coop": "must",
            "bloum": "must",
            "babl-market": "must",
            "coopeco": "must",
            "oufticoop": "must",
            "vervicoop": "must",
        },
        (
            DemoQuote(
                "coop-it-easy",
                "50000.00",
                "160",
                "Migration des six bases et des modules communs, tests avec chaque supermarché.",
                contribution="7142.86",
                accepted=True,
            ),
        ),
        age_days=1500,
    ),
    DemoNeed(
        "Améliorer les e-mails de rappel avant les shifts",
        "bloum",
        ("shifts", "e-mail"),
        "Les rappels partent trop tard et ne disent pas où ni avec qui : des coopérateurs "
        "oublient leur shift.",
        "Un rappel configurable (nombre de jours avant, texte) avec le lieu et l'équipe.",
        lifecycle.DELIVERED,
        {"bloum": "must", "bees-coop": "should", "coopeco": "should", "vervicoop": "could"},
        (
            DemoQuote(
                "coop-it-easy", "300.00", "1", "Paramètres du rappel et gabarit.", accepted=True
            ),
        ),
        age_days=900,
    ),
    DemoNeed(
        "Formulaire de prise de part : case à cocher et texte configurables",
        "bees-coop",
        ("parts sociales", "site web"),
        "Notre formulaire de souscription ne permet pas d'ajouter une case d'acceptation du "
        "règlement d'ordre intérieur.",
        "Une case et un texte configurables depuis Odoo, sans développement par supermarché.",
        lifecycle.DELIVERED,
        {"bees-coop": "must", "oufticoop": "should"},
        (
            DemoQuote(
                "coop-it-easy", "400.00", "1.5", "Champ configurable et traduction.", accepted=True
            ),
        ),
        age_days=700,
    ),
    DemoNeed(
        "Générer les étiquettes d'articles dans Odoo",
        "coopeco",
        ("stock", "étiquettes"),
        "Nous imprimons les étiquettes de rayon avec un tableur : les prix au kilo sont "
        "souvent faux après un changement de prix.",
        "Des étiquettes imprimées depuis Odoo (prix, prix au kilo, origine, bio), par lot "
        "d'articles modifiés.",
        lifecycle.QUOTED,
        {"coopeco": "must", "bees-coop": "must", "vervicoop": "should", "le-nid": "could"},
        (
            DemoQuote(
                "coop-it-easy",
                "3200.00",
                "9",
                "Modèle d'étiquette, impression par lot depuis les changements de prix.",
                contribution="200.00",
            ),
            DemoQuote("coopdevs", "3600.00", "10", "Module d'étiquettes réutilisant report_py3o."),
        ),
        (
            ("claire.dubois@bees-coop.example", "Chez nous il faudrait aussi le code-barres."),
            ("robin.declercq@coopiteasy.example", "C'est prévu dans le devis."),
        ),
        age_days=120,
    ),
    DemoNeed(
        "Gérer les consignes (bocaux, bouteilles)",
        "oufticoop",
        ("caisse", "stock"),
        "Les consignes sont rendues en caisse sans trace : impossible de savoir combien nous "
        "devons aux fournisseurs.",
        "Des articles consigne liés aux produits, rendus en caisse et suivis par fournisseur.",
        lifecycle.QUOTED,
        {"oufticoop": "must", "babl-market": "must", "bloum": "should"},
        (DemoQuote("coop-it-easy", "4800.00", "14", "Consigne au point de vente et rapport."),),
        age_days=90,
    ),
    DemoNeed(
        "Échanger ses shifts entre coopérateurs depuis l'espace membre",
        "foodhub-munchen",
        ("shifts", "espace membre"),
        "Pour échanger un shift, il faut écrire au bureau des membres, qui est débordé.",
        "Proposer son shift, qu'un autre coopérateur le prenne, et que le planning suive.",
        lifecycle.QUOTED,
        {"foodhub-munchen": "must", "bees-coop": "should", "le-nid": "must", "demain": "should"},
        (DemoQuote("coopdevs", "5200.00", "15", "Bourse aux shifts dans l'espace membre."),),
        (("anna.huber@foodhub-muenchen.example", "Bei uns das dringendste Thema!"),),
        age_days=60,
    ),
    DemoNeed(
        "Importer les factures fournisseurs au format Peppol",
        "bees-coop",
        ("comptabilité", "facturation"),
        "Nos fournisseurs belges envoient des factures Peppol que nous retapons à la main.",
        "Les factures Peppol lues et rapprochées des bons de commande.",
        lifecycle.OPEN,
        {"bees-coop": "must", "bloum": "must", "coopeco": "should"},
        age_days=45,
    ),
    DemoNeed(
        "Envoyer les prix aux balances connectées",
        "vervicoop",
        ("caisse", "balance"),
        "Les prix des fruits et légumes sont encodés deux fois : dans Odoo et sur la balance.",
        "Les balances reçoivent les prix d'Odoo à chaque changement.",
        lifecycle.OPEN,
        {"vervicoop": "should", "oufticoop": "should"},
        age_days=40,
    ),
    DemoNeed(
        "Enregistrer les pertes et la casse avec un motif",
        "babl-market",
        ("stock",),
        "Les pertes sont sorties du stock sans motif : nous ne savons pas ce qui se perd.",
        "Un écran simple pour sortir une perte avec un motif, et un rapport mensuel.",
        lifecycle.OPEN,
        {"babl-market": "must", "coopeco": "could"},
        age_days=50,
    ),
    DemoNeed(
        "Statistiques de participation des coopérateurs",
        "le-nid",
        ("shifts", "rapports"),
        "Le comité veut suivre la participation (heures prestées, absences) sans tableur.",
        "Un rapport des heures prestées et des absences par mois et par équipe.",
        lifecycle.OPEN,
        {"le-nid": "should", "la-feve": "should", "foodhub-munchen": "could"},
        age_days=35,
    ),
    DemoNeed(
        "Carte de membre avec QR code à l'accueil",
        "demain",
        ("espace membre", "accueil"),
        "À l'accueil, on cherche les membres par leur nom : c'est lent aux heures de pointe.",
        "Une carte de membre imprimable avec un QR code lu à l'accueil.",
        lifecycle.OPEN,
        {"demain": "must", "la-feve": "could"},
        age_days=25,
    ),
    DemoNeed(
        "Commande fournisseur suggérée selon le stock minimum",
        "bloum",
        ("achats", "stock"),
        "Les commandes sont faites de mémoire par des bénévoles qui changent chaque semaine.",
        "Une proposition de commande par fournisseur selon le stock minimum et les ventes.",
        lifecycle.OPEN,
        {"bloum": "should", "bees-coop": "could", "vervicoop": "should"},
        age_days=20,
    ),
    DemoNeed(
        "Gérer le vrac et la tare des contenants",
        "la-feve",
        ("caisse", "vrac"),
        "Les coopérateurs apportent leurs contenants : la tare est retirée à la main en caisse.",
        "Un contenant pesé à l'entrée et une tare déduite automatiquement à la caisse.",
        lifecycle.OPEN,
        {"la-feve": "must", "babl-market": "should"},
        age_days=15,
    ),
    DemoNeed(
        "Export comptable vers Winbooks",
        "coopeco",
        ("comptabilité",),
        "Notre fiduciaire travaille sous Winbooks : nous exportons à la main chaque mois.",
        "Un export mensuel au format Winbooks.",
        lifecycle.OPEN,
        {"coopeco": "should"},
        age_days=10,
    ),
    DemoNeed(
        "Espace membre entièrement traduit en néerlandais",
        "bees-coop",
        ("espace membre", "traduction"),
        "Une partie de nos coopérateurs est néerlandophone, mais l'espace membre est en "
        "français à moitié.",
        "Toutes les pages et les e-mails de l'espace membre en néerlandais.",
        lifecycle.OPEN,
        {"bees-coop": "must"},
        age_days=5,
    ),
    DemoNeed(
        "Paiement Payconiq au point de vente",
        "oufticoop",
        ("caisse", "paiement"),
        "Des coopérateurs demandent à payer avec Payconiq, moins cher pour nous que la carte.",
        "Un moyen de paiement Payconiq à la caisse, avec le rapprochement bancaire.",
        lifecycle.DRAFT,
        {},
        age_days=2,
    ),
]

ROUND_TITLE = "Priorités de l'automne 2026"
# Each supermarket's ranking of the round's candidates (by index in ROUND_CANDIDATES).
ROUND_CANDIDATES = [
    "Générer les étiquettes d'articles dans Odoo",
    "Gérer les consignes (bocaux, bouteilles)",
    "Échanger ses shifts entre coopérateurs depuis l'espace membre",
    "Importer les factures fournisseurs au format Peppol",
    "Enregistrer les pertes et la casse avec un motif",
]
ROUND_BALLOTS = {
    "bees-coop": [[0], [3], [2], [1]],
    "bloum": [[3], [0], [1]],
    "babl-market": [[1], [4], [0]],
    "coopeco": [[0], [3], [4]],
    "oufticoop": [[1], [0], [2, 3]],
    "vervicoop": [[0], [1]],
    "foodhub-munchen": [[2], [0]],
    "le-nid": [[2], [0], [1]],
}


def load_demo_needs() -> None:
    facilitator = User.objects.get(email=FACILITATOR[1])
    organisations = {o.slug: o for o in Organisation.objects.all()}
    today = timezone.localdate()
    with transaction.atomic():
        for demo in NEEDS:
            organisation = organisations[demo.organisation]
            if Need.objects.filter(title=demo.title, organisation=organisation).exists():
                continue
            _create(demo, organisation, organisations, facilitator, today)
        _closed_round(facilitator, organisations)


def _person_of(organisation: Organisation) -> User:
    membership = organisation.memberships.select_related("user").order_by("role").first()
    if membership is None:
        raise LookupError(f"the demo organisation {organisation.slug} has nobody")
    return membership.user


def _create(
    demo: DemoNeed,
    organisation: Organisation,
    organisations: dict[str, Organisation],
    facilitator: User,
    today: datetime.date,
) -> None:
    author = _person_of(organisation)
    need = services.create_need(
        author=author,
        organisation=organisation,
        title=demo.title,
        problem=demo.problem,
        expected_outcome=demo.outcome,
        tags=list(demo.tags),
        odoo_series="12.0",
        publish=demo.status != lifecycle.DRAFT,
    )
    for slug, priority in demo.interest.items():
        supermarket = organisations[slug]
        services.express_interest(
            need, supermarket, actor=_person_of(supermarket), priority=priority, comment=""
        )
    for quote in demo.quotes:
        provider = organisations[quote.provider]
        created = services.add_quote(
            need,
            provider,
            author=_person_of(provider),
            amount=Decimal(quote.amount),
            provider_contribution=Decimal(quote.contribution),
            scope=quote.scope,
            estimated_days=Decimal(quote.days),
            valid_until=today + datetime.timedelta(days=90),
        )
        if quote.accepted:
            Quote.objects.filter(pk=created.pk).update(status=QuoteStatus.ACCEPTED)
    if demo.status == lifecycle.DELIVERED:
        for status in DELIVERED_PATH[DELIVERED_PATH.index(lifecycle.QUOTED) + 1 :]:
            need = services.move_by_process(need, status, actor=facilitator)
    for email, text in demo.comments:
        services.add_comment(need, author=User.objects.get(email=email), body=text)
    since = timezone.now() - datetime.timedelta(days=demo.age_days)
    Need.objects.filter(pk=need.pk).update(created_at=since, status_changed_at=since)


def _closed_round(facilitator: User, organisations: dict[str, Organisation]) -> None:
    if PriorityRound.objects.filter(title=ROUND_TITLE).exists():
        return
    candidates = [Need.objects.get(title=title) for title in ROUND_CANDIDATES]
    priority_round = PriorityRound.objects.create(
        title=ROUND_TITLE,
        deadline=timezone.now() - datetime.timedelta(days=20),
        opened_by=facilitator,
        status=RoundStatus.OPEN,
        electorate=Organisation.objects.member_supermarkets().count(),
    )
    priority_round.candidates.set(candidates)
    for slug, ranking in ROUND_BALLOTS.items():
        organisation = organisations[slug]
        voter = organisation.memberships.get(role=Role.REPRESENTATIVE).user
        Ballot.objects.create(
            round=priority_round,
            organisation=organisation,
            cast_by=voter,
            ranking=[[candidates[index].pk for index in group] for group in ranking],
        )
    rounds.close_round(priority_round, actor=facilitator)


# Who follows what in the demo, and how they chose to hear of it: Claire (BEES coop) gets a
# daily digest (due at any hour, so `komunigi send_digests` shows one at once), Jonas follows
# the stock tag, the facilitator hears of everything at once.
DIGEST_READER = "claire.dubois@bees-coop.example"
TAG_FOLLOWER = "jonas.peeters@bees-coop.example"


def load_demo_follows() -> None:
    reader = User.objects.filter(email=DIGEST_READER).first()
    follower = User.objects.filter(email=TAG_FOLLOWER).first()
    if reader is None or follower is None or NeedFollow.objects.filter(user=reader).exists():
        return
    with transaction.atomic():
        tag = Tag.objects.filter(slug="stock").first() or Tag.objects.order_by("pk").first()
        if tag is not None:
            services.follow_tag(tag, user=follower)
        update_preferences(
            reader,
            modes={
                events.NEED_COMMENT.kind: Mode.DIGEST,
                events.NEED_QUOTE.kind: Mode.DIGEST,
                events.PAYMENT_RECORDED.kind: Mode.DIGEST,
                events.DECISION_OUTCOME.kind: Mode.DIGEST,
            },
            digest_hour=0,
            paused=False,
        )
        # What happened to the needs Claire follows since yesterday, for her digest.
        for need in Need.objects.filter(status__in=lifecycle.ACTIVE).order_by("pk")[:3]:
            services.follow_need(need, user=reader)
            services.add_comment(
                need,
                author=_person_of(need.organisation)
                if need.organisation.memberships.exclude(user=reader).exists()
                else User.objects.get(email=FACILITATOR[1]),
                body="Nous avons testé la version de recette : cela fonctionne chez nous.",
            )
