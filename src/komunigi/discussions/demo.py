"""The deck's two lists, their subscribers and a few real-looking threads."""

from django.db import transaction

from komunigi.community.demo import FACILITATOR
from komunigi.community.models import User
from komunigi.discussions import services
from komunigi.discussions.models import Delivery, MailingList, PostSource, ReadAccess, Thread
from komunigi.needs.models import Need

LISTS = [
    (
        "entraide",
        "Entraide",
        "community",
        "Questions et demandes entre supermarchés : les pairs répondent, et le prestataire "
        "pour les plus difficiles.",
        ReadAccess.MEMBERS,
    ),
    (
        "logistique",
        "Logistique",
        "logistique",
        "Invitations et rappels des rencontres, organisation de l'événement de mars.",
        ReadAccess.PUBLIC,
    ),
]

# Most people take every message; a few prefer the digest or the web.
DIGEST_READERS = {"jonas.peeters@bees-coop.example", "thomas.renard@bloum.example"}
WEB_READERS = {"lukas.wagner@foodhub-muenchen.example"}


def load_demo_lists() -> None:
    with transaction.atomic():
        lists = {}
        for position, (slug, name, local_part, description, access) in enumerate(LISTS):
            lists[slug], _created = MailingList.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "local_part": local_part,
                    "description": description,
                    "read_access": access,
                    "position": position,
                },
            )
        if Thread.objects.exists():
            return
        people = User.objects.filter(memberships__isnull=False, is_active=True).distinct()
        for person in people:
            delivery = (
                Delivery.DIGEST
                if person.email in DIGEST_READERS
                else Delivery.WEB
                if person.email in WEB_READERS
                else Delivery.EVERY
            )
            for mailing_list in lists.values():
                services.subscribe(mailing_list, user=person, delivery=delivery)
        _shift_reminders(lists["entraide"])
        _march_event(lists["logistique"])


def _person(email: str) -> User:
    return User.objects.get(email=email)


def _shift_reminders(entraide: MailingList) -> None:
    question = services.start_thread(
        entraide,
        author=_person("camille.morel@le-nid.example"),
        subject="Rappels de créneaux par e-mail qui n'arrivent plus",
        body=(
            "Bonjour à toutes et tous,\n\n"
            "Depuis la mise à jour de la semaine dernière, nos coopérateurs ne reçoivent plus "
            "le rappel de leur créneau la veille. Le planificateur « Envoyer les rappels de "
            "créneaux » tourne pourtant. Quelqu'un a-t-il déjà vu ça ?"
        ),
        needs=list(Need.objects.filter(title__icontains="shift")[:1]),
    )
    services.reply(
        question,
        author=_person("nathalie.lambert@bloum.example"),
        body=(
            "Oui, chez nous aussi en 2023 : le modèle d'e-mail avait perdu son champ "
            "« Envoyer à ». Regardez dans *Configuration › Modèles d'e-mails* que le champ "
            "contient bien `${object.worker_id.email}`."
        ),
        source=PostSource.EMAIL,
    )
    answer = services.reply(
        question,
        author=_person("robin.declercq@coopiteasy.example"),
        body=(
            "C'est bien ça : la migration du module `beesdoo_shift` réinitialise le modèle. "
            "Nous avons publié le correctif dans la version 12.0.1.4.2 ; après la mise à jour, "
            "relancez le planificateur une fois à la main."
        ),
    )
    services.reply(
        question,
        author=_person("camille.morel@le-nid.example"),
        body="Merci ! Mis à jour ce matin, les rappels sont repartis.",
        source=PostSource.EMAIL,
    )
    services.mark_solved(question, actor=_person("camille.morel@le-nid.example"), answer=answer)


def _march_event(logistique: MailingList) -> None:
    event = services.start_thread(
        logistique,
        author=_person(FACILITATOR[1]),
        subject="Rencontre de mars : lieu, horaires et covoiturage",
        body=(
            "La rencontre annuelle aura lieu le samedi 19 mars à Bruxelles, chez BEES coop, "
            "de 10 h à 17 h. Dites-nous ici combien vous serez et si vous proposez des places "
            "en covoiturage."
        ),
    )
    services.reply(
        event,
        author=_person("anna.huber@foodhub-muenchen.example"),
        body="Wir kommen zu zweit aus München, mit dem Zug. Danke für die Organisation!",
        source=PostSource.EMAIL,
    )
    services.reply(
        event,
        author=_person("pauline.collard@oufticoop.example"),
        body="Nous serons trois depuis Liège et avons deux places libres dans la voiture.",
    )
