"""The deck's ecosystem as demo data: real organisations, fictional people.

Loading is idempotent: whatever exists already (matched by slug or e-mail) is left as it is.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from komunigi.community.models import (
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    User,
)

# Known only to this module and printed by `komunigi demo`: never used outside the demo.
DEMO_PASSWORD = "komunigi-demo"  # noqa: S105


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    kind: str
    country: str
    city: str
    website: str
    languages: tuple[str, ...]
    description: str
    member_households: int | None = None
    odoo_series: str = ""
    joined_on: date | None = None
    people: tuple[tuple[str, str, str], ...] = ()  # (full name, e-mail, role)


SUPERMARKET = OrganisationKind.SUPERMARKET
PROVIDER = OrganisationKind.PROVIDER
PARTNER = OrganisationKind.PARTNER
REP, SUB, MEMBER = Role.REPRESENTATIVE, Role.SUBSTITUTE, Role.MEMBER

ORGANISATIONS = [
    DemoOrganisation(
        "bees-coop",
        "BEES coop",
        SUPERMARKET,
        "BE",
        "Schaerbeek",
        "https://bees-coop.be",
        ("fr", "nl", "en"),
        "Premier supermarché coopératif et participatif de Bruxelles, ouvert en 2017 : ses "
        "coopérateurs y travaillent près de trois heures toutes les quatre semaines. Sa cellule "
        "informatique bénévole est à l'origine de Coop IT Easy.",
        2000,
        "12.0",
        date(2021, 6, 1),
        (
            ("Claire Dubois", "claire.dubois@bees-coop.example", REP),
            ("Jonas Peeters", "jonas.peeters@bees-coop.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "bloum",
        "BLOUM Coop",
        SUPERMARKET,
        "BE",
        "Forest",
        "https://bloum.be",
        ("fr",),
        "Épicerie coopérative de quartier à Forest, en produits bio, locaux et en vrac, gérée "
        "par ses membres depuis 2016.",
        240,
        "12.0",
        date(2021, 6, 1),
        (
            ("Nathalie Lambert", "nathalie.lambert@bloum.example", REP),
            ("Thomas Renard", "thomas.renard@bloum.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "babl-market",
        "Bab'l Market",
        SUPERMARKET,
        "BE",
        "Braine-l'Alleud",
        "https://www.babl-market.be",
        ("fr",),
        "Supermarché participatif ouvert à toutes et tous, qui privilégie le circuit court, les "
        "maraîchers des environs et le zéro déchet.",
        350,
        "12.0",
        date(2021, 9, 1),
        (
            ("Sophie Maes", "sophie.maes@babl-market.example", REP),
            ("Olivier Dumont", "olivier.dumont@babl-market.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "coopeco",
        "Coopéco",
        SUPERMARKET,
        "BE",
        "Charleroi",
        "https://coopeco-supermarche.be",
        ("fr",),
        "Supermarché coopératif et participatif carolo, ouvert en 2016, où chaque membre "
        "travaille trois heures par mois.",
        330,
        "12.0",
        date(2021, 6, 1),
        (
            ("Martine Leclercq", "martine.leclercq@coopeco.example", REP),
            ("Karim Benali", "karim.benali@coopeco.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "la-feve",
        "Coopérative du supermarché participatif paysan",
        SUPERMARKET,
        "CH",
        "Meyrin",
        "https://la-feve.ch",
        ("fr",),
        "Supermarché participatif cogéré par des habitants et des paysans genevois, dans "
        "l'écoquartier des Vergers.",
        500,
        "12.0",
        date(2021, 10, 1),
        (
            ("Léa Favre", "lea.favre@la-feve.example", REP),
            ("Nicolas Rochat", "nicolas.rochat@la-feve.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "le-nid",
        "Le NID Genève",
        SUPERMARKET,
        "CH",
        "Genève",
        "",
        ("fr",),
        "Première épicerie participative de Genève, ouverte en 2018 dans le quartier de la "
        "Jonction : local, vrac et deux heures de participation par mois.",
        200,
        "12.0",
        date(2021, 10, 1),
        (
            ("Camille Morel", "camille.morel@le-nid.example", REP),
            ("Julien Baud", "julien.baud@le-nid.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "foodhub-munchen",
        "FoodHub München",
        SUPERMARKET,
        "DE",
        "München",
        "",
        ("de", "en"),
        "Premier supermarché coopératif « Mitmach » d'Allemagne, ouvert en 2021 à Giesing ; "
        "ses membres y travaillent trois heures toutes les quatre semaines.",
        1600,
        "12.0",
        date(2021, 11, 1),
        (
            ("Anna Huber", "anna.huber@foodhub-muenchen.example", REP),
            ("Lukas Wagner", "lukas.wagner@foodhub-muenchen.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "demain",
        "Groupe Coopératif Demain",
        SUPERMARKET,
        "FR",
        "Lyon",
        "",
        ("fr",),
        "Supermarché coopératif et participatif lyonnais, dont les membres donnent trois "
        "heures toutes les quatre semaines.",
        500,
        "12.0",
        date(2022, 1, 1),
        (
            ("Élodie Garnier", "elodie.garnier@demain.example", REP),
            ("Mathieu Roux", "mathieu.roux@demain.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "oufticoop",
        "Oufticoop",
        SUPERMARKET,
        "BE",
        "Liège",
        "",
        ("fr",),
        "Supermarché coopératif et participatif liégeois en circuit court, créé en 2019 dans "
        "le quartier d'Outremeuse.",
        380,
        "12.0",
        date(2021, 9, 1),
        (
            ("Pauline Collard", "pauline.collard@oufticoop.example", REP),
            ("Antoine Delvaux", "antoine.delvaux@oufticoop.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "vervicoop",
        "Vervîcoop",
        SUPERMARKET,
        "BE",
        "Verviers",
        "https://vervicoop.be",
        ("fr",),
        "Supermarché coopératif citoyen verviétois, fondé en 2018 par une cinquantaine de "
        "coopérateurs.",
        400,
        "12.0",
        date(2021, 9, 1),
        (
            ("Isabelle Jacquemin", "isabelle.jacquemin@vervicoop.example", REP),
            ("David Schmitz", "david.schmitz@vervicoop.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "coop-it-easy",
        "Coop IT Easy",
        PROVIDER,
        "BE",
        "Bruxelles",
        "https://coopiteasy.be",
        ("fr", "nl", "en"),
        "Coopérative informatique née en 2018 de la cellule informatique de BEES coop : elle "
        "adapte et maintient Odoo Community pour les supermarchés coopératifs et a lancé "
        "Komunigi.",
        joined_on=date(2021, 6, 1),
        people=(
            ("Robin Declercq", "robin.declercq@coopiteasy.example", REP),
            ("Virginie Lenoir", "virginie.lenoir@coopiteasy.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "coopdevs",
        "Coopdevs",
        PROVIDER,
        "ES",
        "Barcelona",
        "https://coopdevs.coop",
        ("es", "ca", "en"),
        "Coopérative catalane de logiciel libre qui déploie Odoo pour l'économie sociale, dont "
        "des supermarchés coopératifs, avec les modules nés à BEES coop.",
        joined_on=date(2021, 6, 1),
        people=(
            ("Marta Puig", "marta.puig@coopdevs.example", REP),
            ("Jordi Serra", "jordi.serra@coopdevs.example", MEMBER),
        ),
    ),
    DemoOrganisation(
        "collectiv-a",
        "collectiv-a",
        PARTNER,
        "BE",
        "",
        "",
        ("fr",),
        "Partenaire de Komunigi.",
        joined_on=date(2021, 6, 1),
        people=(("Hélène Marchal", "helene.marchal@collectiv-a.example", REP),),
    ),
    DemoOrganisation(
        "lemonside",
        "LemonSide",
        PARTNER,
        "BE",
        "",
        "",
        ("fr", "en"),
        "Partenaire de Komunigi.",
        joined_on=date(2021, 6, 1),
        people=(("Simon Lefèvre", "simon.lefevre@lemonside.example", REP),),
    ),
    DemoOrganisation(
        "grap",
        "GRAP",
        PROVIDER,
        "FR",
        "Lyon",
        "",
        ("fr",),
        "Groupement Régional Alimentaire de Proximité : coopérative lyonnaise qui mutualise "
        "services et informatique libre pour des épiceries et artisans bio et locaux, et "
        "développe des modules Odoo.",
        joined_on=date(2022, 3, 14),
        people=(("Bastien Girard", "bastien.girard@grap.example", REP),),
    ),
    DemoOrganisation(
        "oca",
        "Odoo Community Association",
        OrganisationKind.STAKEHOLDER,
        "CH",
        "Lausanne",
        "https://odoo-community.org",
        ("en",),
        "Association suisse à but non lucratif qui coordonne le développement collaboratif des "
        "modules libres d'Odoo Community.",
        joined_on=date(2021, 6, 1),
    ),
]

FACILITATOR = ("Aurélie Vandenberghe", "facilitation@komunigi.example")
ADMIN = ("Admin Komunigi", "admin@komunigi.example")


@dataclass(frozen=True)
class DemoLogin:
    description: str
    email: str


def load_demo_community() -> list[DemoLogin]:
    """Create what is missing of the demo ecosystem; returns the logins worth printing."""
    with transaction.atomic():
        for demo in ORGANISATIONS:
            organisation, _ = Organisation.objects.get_or_create(
                slug=demo.slug,
                defaults={
                    "name": demo.name,
                    "kind": demo.kind,
                    "status": OrganisationStatus.MEMBER,
                    "country": demo.country,
                    "city": demo.city,
                    "website": demo.website,
                    "languages": list(demo.languages),
                    "description": demo.description,
                    "member_households": demo.member_households,
                    "odoo_series": demo.odoo_series,
                    "joined_on": demo.joined_on,
                },
            )
            for full_name, email, role in demo.people:
                user = _demo_user(full_name, email, language=demo.languages[0])
                Membership.objects.get_or_create(
                    user=user, organisation=organisation, defaults={"role": role}
                )
        facilitator = _demo_user(*FACILITATOR, language="fr", is_facilitator=True)
        Membership.objects.get_or_create(
            user=facilitator,
            organisation=Organisation.objects.get(slug="coop-it-easy"),
            defaults={"role": MEMBER},
        )
        _demo_user(*ADMIN, language="fr", is_staff=True, is_superuser=True, is_facilitator=True)
    return [
        DemoLogin("administrator (everything, Django admin included)", ADMIN[1]),
        DemoLogin("facilitator (join requests, administration)", FACILITATOR[1]),
        DemoLogin("representative of BEES coop", "claire.dubois@bees-coop.example"),
        DemoLogin("member of BEES coop", "jonas.peeters@bees-coop.example"),
        DemoLogin("developer at Coop IT Easy", "virginie.lenoir@coopiteasy.example"),
    ]


def _demo_user(full_name: str, email: str, *, language: str, **flags: bool) -> User:
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user
    return User.objects.create_user(
        email,
        DEMO_PASSWORD,
        full_name=full_name,
        language=language if language in {"fr", "en", "nl", "de", "es"} else "en",
        **flags,
    )
