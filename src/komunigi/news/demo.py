"""Demo newsletter: the announcement of the March 2022 community event and a round-up of the
first co-financings in the archive, a draft for the next issue, and a few subscribers
(confirmed and waiting, in several languages).

Idempotent: an issue that exists (by its address) or a known subscriber is left as it is.
Past issues are written as sent long ago: there is nobody to e-mail them to again.
"""

import datetime
import zoneinfo

from django.db import transaction
from django.utils import timezone

from komunigi.community.demo import FACILITATOR
from komunigi.community.models import User
from komunigi.news.models import (
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
    SubscriptionSource,
)
from komunigi.news.services import address_hash, new_key

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")

EVENT_FR = """\
Le **samedi 19 mars 2022**, les supermarchés coopératifs qui utilisent Odoo se retrouvent à
Bruxelles pour une journée d'échanges, dans les locaux de BEES coop.

Au programme :

- le bilan de la migration d'Odoo 9 à Odoo 12, menée ensemble par six supermarchés ;
- les prochains développements à mutualiser : les e-mails de rappel avant les shifts, le
  formulaire de prise de part, les étiquettes d'articles ;
- comment financer l'animation de la communauté une fois la subvention terminée ;
- un repas partagé, avec les produits de nos rayons.

L'inscription se fait auprès de la liste logistique. Venez nombreux : un représentant par
supermarché au moins, et toutes les personnes curieuses !
"""
EVENT_EN = """\
On **Saturday 19 March 2022**, the cooperative supermarkets that run Odoo meet in Brussels for
a day of exchanges, at BEES coop.

On the programme:

- what we learnt from migrating from Odoo 9 to Odoo 12 together, six supermarkets at once;
- the next developments to pool: shift reminder e-mails, the share subscription form,
  product labels;
- how to fund the community's coordination once the grant is over;
- a shared meal, with products from our shelves.

Register through the logistics list. One representative per supermarket at least, and
everybody who is curious!
"""
EVENT_NL = """\
Op **zaterdag 19 maart 2022** komen de coöperatieve supermarkten die Odoo gebruiken samen in
Brussel, bij BEES coop, voor een dag van uitwisseling.

Op het programma: de migratie van Odoo 9 naar Odoo 12, de volgende gedeelde ontwikkelingen,
de financiering van de community en een gedeelde maaltijd.
"""
ROUNDUP_FR = """\
Trois développements ont été cofinancés par la communauté depuis sa création :

1. **Migration d'Odoo 9 à Odoo 12** : 50 000 € partagés entre six supermarchés et Coop IT Easy.
2. **E-mails de rappel avant les shifts** : 300 € partagés entre quatre supermarchés.
3. **Formulaire de prise de part** (une case à cocher et un texte configurables) : 400 €
   partagés entre deux supermarchés.

Chaque module est publié sous licence libre : tous les supermarchés peuvent l'utiliser, même
ceux qui n'ont pas participé. Ceux qui le rejoignent plus tard paient une part de rattrapage,
qui rembourse une partie des premiers.

**À venir** : la génération des étiquettes d'articles dans Odoo, puis la gestion des
consignes. Le détail de chaque campagne est sur la page de l'historique des cofinancements.
"""
ROUNDUP_EN = """\
The community has co-financed three developments so far:

1. **Migration from Odoo 9 to Odoo 12**: €50,000 shared by six supermarkets and Coop IT Easy.
2. **Shift reminder e-mails**: €300 shared by four supermarkets.
3. **Share subscription form** (a configurable checkbox and text): €400 shared by two
   supermarkets.

Every module is published under a free licence. Supermarkets that join later pay a catch-up
share, which pays part of the first ones back.

**Coming next**: product labels in Odoo, then deposit management.
"""
ROUNDUP_DE = """\
Die Gemeinschaft hat bisher drei Entwicklungen gemeinsam finanziert: die Migration von Odoo 9
auf Odoo 12 (50 000 €), die Erinnerungs-E-Mails vor den Schichten (300 €) und das Formular
für Genossenschaftsanteile (400 €). Als Nächstes: Artikeletiketten in Odoo.
"""
DRAFT_FR = """\
La campagne de cofinancement des étiquettes d'articles est ouverte : chaque supermarché
intéressé peut s'engager jusqu'à la date limite. Plus nous sommes nombreux, moins chacun paie.
"""

ISSUES = [
    (
        "rencontre-de-la-communaute-mars-2022",
        {
            "title_fr": "Rencontre de la communauté le 19 mars 2022 à Bruxelles",
            "body_fr": EVENT_FR,
            "title_en": "Community meeting on 19 March 2022 in Brussels",
            "body_en": EVENT_EN,
            "title_nl": "Communitydag op 19 maart 2022 in Brussel",
            "body_nl": EVENT_NL,
        },
        datetime.datetime(2022, 2, 15, 10, 0, tzinfo=BRUSSELS),
    ),
    (
        "cofinancements-ou-en-sommes-nous",
        {
            "title_fr": "Cofinancements : où en sommes-nous ?",
            "body_fr": ROUNDUP_FR,
            "title_en": "Co-financing: where do we stand?",
            "body_en": ROUNDUP_EN,
            "title_de": "Gemeinsame Finanzierung: wo stehen wir?",
            "body_de": ROUNDUP_DE,
        },
        datetime.datetime(2022, 7, 5, 10, 0, tzinfo=BRUSSELS),
    ),
    (
        "etiquettes-darticles-la-campagne-est-ouverte",
        {"title_fr": "Étiquettes d'articles : la campagne est ouverte", "body_fr": DRAFT_FR},
        None,  # a draft, for the facilitator to preview, test and send
    ),
]

SUBSCRIBERS = [
    ("claire.dubois@bees-coop.example", "fr", SubscriberStatus.CONFIRMED, "account"),
    ("marie.lambert@lecteurs.example", "fr", SubscriberStatus.CONFIRMED, "web"),
    ("pieter.janssens@lezers.example", "nl", SubscriberStatus.CONFIRMED, "web"),
    ("anna.schmidt@leser.example", "de", SubscriberStatus.CONFIRMED, "web"),
    ("sam.taylor@readers.example", "en", SubscriberStatus.CONFIRMED, "web"),
    ("lucia.garcia@lectores.example", "es", SubscriberStatus.CONFIRMED, "web"),
    ("julien.martin@lecteurs.example", "fr", SubscriberStatus.PENDING, "web"),
    ("eva.peeters@lezers.example", "nl", SubscriberStatus.PENDING, "web"),
]


def load_demo_news() -> None:
    facilitator = User.objects.filter(email=FACILITATOR[1]).first()
    now = timezone.now()
    with transaction.atomic():
        for slug, texts, published_at in ISSUES:
            if Issue.objects.filter(slug=slug).exists():
                continue
            sent = published_at is not None
            Issue.objects.create(
                slug=slug,
                status=IssueStatus.SENT if sent else IssueStatus.DRAFT,
                published_at=published_at,
                sent_at=published_at + datetime.timedelta(minutes=5) if published_at else None,
                created_by=facilitator,
                **texts,
            )
        for email, language, status, source in SUBSCRIBERS:
            if Subscriber.objects.filter(email=email).exists():
                continue
            # Waiting ones asked just now: older, they would be forgotten (their link expired).
            confirmed = status == SubscriberStatus.CONFIRMED
            at = datetime.datetime(2022, 1, 10, 9, 0, tzinfo=BRUSSELS) if confirmed else now
            Subscriber.objects.create(
                email=email,
                address_hash=address_hash(email),
                language=language,
                status=status,
                source=SubscriptionSource(source),
                key=new_key(),
                requested_at=at,
                consent_at=at if confirmed else None,
            )
