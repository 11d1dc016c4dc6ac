"""What needs tell people: each notice goes through ``notify``, in the recipient's language.

Who hears of what: comments and quotes reach the need's author, the representatives of the
supermarkets interested in it and its followers; status changes reach its followers; a new
need reaches the followers of its tags and of its Odoo modules, once each. Nobody is told of
what they did themselves.
"""

from collections.abc import Collection

from django.db.models import Q
from django.utils.translation import override

from komunigi.community.models import Organisation, Role, User
from komunigi.needs import lifecycle
from komunigi.needs.models import Comment, Need, NeedStatus, PriorityRound, Quote, TagFollow
from komunigi.notifications import events
from komunigi.notifications.emails import absolute_url
from komunigi.notifications.services import notify


def _url(need: Need, recipient: User, anchor: str = "") -> str:
    with override(recipient.language):
        return absolute_url(need.get_absolute_url()) + anchor


def concerned(need: Need, *, exclude: User | None) -> list[User]:
    """The need's author, its interested supermarkets' representatives and its followers."""
    people = User.objects.filter(is_active=True).filter(
        Q(pk=need.author_id)
        | Q(
            memberships__role=Role.REPRESENTATIVE,
            memberships__organisation__interests__need=need,
        )
        | Q(followed_needs__need=need)
    )
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return list(people.distinct().order_by("pk"))


def followers(need: Need, *, exclude: User | None) -> list[User]:
    people = User.objects.filter(is_active=True, followed_needs__need=need)
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return list(people.order_by("pk"))


def send_comment_notification(comment: Comment, recipient: User) -> None:
    url = _url(comment.need, recipient, f"#comment-{comment.pk}")
    notify(recipient, events.NEED_COMMENT, {"comment": comment, "need": comment.need, "url": url})


def notify_quote(quote: Quote, *, actor: User) -> None:
    for recipient in concerned(quote.need, exclude=actor):
        notify(
            recipient,
            events.NEED_QUOTE,
            {"quote": quote, "need": quote.need, "url": _url(quote.need, recipient, "#quotes")},
        )


def notify_status_change(need: Need, previous: str, *, actor: User | None) -> None:
    for recipient in followers(need, exclude=actor):
        notify(
            recipient,
            events.NEED_STATUS,
            {
                "need": need,
                "previous": NeedStatus(previous).label,
                "status": NeedStatus(need.status).label,
                "url": _url(need, recipient),
            },
        )


def _following(need: Need) -> dict[int, list[str]]:
    """Who follows a tag or an Odoo module of ``need``, with the names of what they follow.

    The commons app (above this one) links modules to needs and people to modules; reading
    its links through their relations, as the need's page does, keeps needs from importing it.
    """
    followed: dict[int, list[str]] = {}
    tags = TagFollow.objects.filter(tag__in=need.tags.all()).order_by("tag__name")
    for user_id, name in tags.values_list("user", "tag__name"):
        followed.setdefault(user_id, []).append(name)
    modules = need.module_links.filter(module__follows__isnull=False).order_by(
        "module__technical_name"
    )
    for user_id, name in modules.values_list("module__follows__user", "module__technical_name"):
        followed.setdefault(user_id, []).append(name)
    return followed


def notify_new_need(need: Need, *, modules_before: Collection[int] | None = None) -> None:
    """To the followers of the need's tags and Odoo modules: one notice each, naming what they
    follow that the need is in.

    Called when the need is published, and again by the commons when modules are linked to a
    published need, with ``modules_before`` (the ids of the modules it touched until then):
    then only those who follow a newly linked module, and neither a tag of the need nor a
    module it touched before, hear of it; the others were told already. A need that is no
    longer being decided, funded or built is not news.
    """
    if need.status not in lifecycle.ACTIVE:
        return
    followed = _following(need)
    if modules_before is not None:
        told = TagFollow.objects.filter(tag__in=need.tags.all()).values_list("user", flat=True)
        told_through_modules = User.objects.filter(
            followed_modules__module__in=modules_before
        ).values_list("pk", flat=True)
        for user_id in {*told, *told_through_modules}:
            followed.pop(user_id, None)
    people = (
        User.objects.filter(is_active=True, pk__in=followed)
        .exclude(pk__in=[need.author_id] if need.author_id else [])
        .order_by("pk")
    )
    for recipient in people:
        notify(
            recipient,
            events.NEED_NEW,
            {
                # What they follow, tags and modules alike (the subject names them).
                "tags": ", ".join(followed[recipient.pk]),
                "need": need,
                "url": _url(need, recipient),
            },
        )


def _round_url(priority_round: PriorityRound, recipient: User) -> str:
    with override(recipient.language):
        return absolute_url(priority_round.get_absolute_url())


def notify_round_opened(priority_round: PriorityRound) -> None:
    """To the people who rank for a member supermarket (its representative and substitutes)."""
    people = User.objects.speaking_for(Organisation.objects.member_supermarkets()).order_by("pk")
    for recipient in people:
        notify(
            recipient,
            events.ROUND_OPENED,
            {"round": priority_round, "url": _round_url(priority_round, recipient)},
        )


def notify_round_closing(priority_round: PriorityRound, supermarket: Organisation) -> None:
    """``supermarket`` has not ranked, and the round closes soon."""
    people = User.objects.speaking_for([supermarket]).order_by("pk")
    for recipient in people:
        notify(
            recipient,
            events.ROUND_CLOSING,
            {
                "round": priority_round,
                "supermarket": supermarket,
                "url": _round_url(priority_round, recipient),
            },
        )
