"""Every write on needs, interest, comments, attachments, quotes and estimates (priority
rounds have theirs in ``rounds.py``).

Each runs in one transaction with its audit event; e-mails go to the outbox in it.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.community.models import Organisation, OrganisationKind, User, is_facilitator
from komunigi.dates import instance_today
from komunigi.errors import DomainError, require
from komunigi.needs import emails, lifecycle, permissions, roadmap_version
from komunigi.needs.models import (
    Attachment,
    Comment,
    EstimateAssignment,
    EstimateStatus,
    Interest,
    Need,
    NeedFollow,
    NeedStatus,
    Priority,
    Quote,
    QuoteStatus,
    Tag,
    TagFollow,
)

MAX_TAGS = 10
MAX_TAG_LENGTH = 50  # a tag's name and slug
MAX_ATTACHMENTS = 20
# Codes of the moves the platform makes by itself (see _move).
WHY_VALID_QUOTE = "valid_quote"
WHY_NO_VALID_QUOTE = "no_valid_quote"


def create_need(
    *,
    author: User,
    organisation: Organisation,
    title: str,
    problem: str,
    expected_outcome: str,
    tags: list[str],
    odoo_series: str,
    publish: bool,
) -> Need:
    """A new need, as a draft of its organisation or published at once."""
    require(permissions.organisations_proposing_for(author).filter(pk=organisation.pk).exists())
    with transaction.atomic():
        need = Need.objects.create(
            title=title.strip(),
            problem=problem.strip(),
            expected_outcome=expected_outcome.strip(),
            organisation=organisation,
            author=author,
            odoo_series=odoo_series,
        )
        need.tags.set(tags_for(tags))
        log_action(author, "needs.need.created", need)
        # The author hears of what happens to their need until they unfollow it.
        NeedFollow.objects.create(user=author, need=need)
        if publish:
            _move(need, lifecycle.OPEN, actor=author, reason="")
    return need


def update_need(
    need: Need,
    *,
    actor: User,
    title: str,
    problem: str,
    expected_outcome: str,
    tags: list[str],
    odoo_series: str,
) -> None:
    require(permissions.can_edit_need(actor, need))
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        need.title, need.problem = title.strip(), problem.strip()
        need.expected_outcome, need.odoo_series = expected_outcome.strip(), odoo_series
        need.save(
            update_fields=["title", "problem", "expected_outcome", "odoo_series", "updated_at"]
        )
        need.tags.set(tags_for(tags))
        log_action(actor, "needs.need.edited", need)


def tags_for(names: list[str]) -> list[Tag]:
    """The tags named, created when new; the same word in any case is one tag."""
    tags: dict[str, Tag] = {}
    for name in names[:MAX_TAGS]:
        slug = slugify(name)[:50]
        if slug and slug not in tags:
            tags[slug], _created = Tag.objects.get_or_create(
                slug=slug, defaults={"name": name.strip()[:50]}
            )
    return list(tags.values())


def change_status(need: Need, new_status: str, *, actor: User, reason: str = "") -> Need:
    """A move made by hand (publish, withdraw, reopen, mark as built …); refused with a
    message when it belongs to a meeting's decision or a campaign, or the lifecycle forbids
    it. Meetings and campaigns move needs through `move_by_process`."""
    require(permissions.can_change_status(actor, need, new_status))
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if new_status not in lifecycle.manual_statuses(need.status):
            raise DomainError(_manual_refusal(need, new_status))
        _move(need, new_status, actor=actor, reason=reason)
    return need


def _manual_refusal(need: Need, new_status: str) -> str:
    if need.status == lifecycle.SCHEDULED:
        return _(
            "This need waits for its decision at a meeting: take it off the meeting's agenda first."
        )
    if need.status == lifecycle.FUNDING:
        return _(
            "Its co-financing campaign is collecting pledges: cancel the campaign on its page "
            "first."
        )
    if new_status == lifecycle.QUOTED:
        return _("A need is quoted only while it has a valid quote.")
    if (need.status, new_status) in lifecycle.AUTOMATIC:
        return _("A need stays quoted while it has a valid quote.")
    if new_status in lifecycle.BY_PROCESS and lifecycle.can_move(need.status, new_status):
        return _(
            "A need becomes “%(status)s” through a meeting's decision or a co-financing "
            "campaign, not by hand."
        ) % {"status": NeedStatus(new_status).label}
    return _refusal(need.status, new_status)


def move_by_process(need: Need, new_status: str, *, actor: User | None, reason: str = "") -> Need:
    """A move a meeting's decision or a campaign makes (scheduled, approved, funding, funded
    …): the caller, holding its own transaction, has checked who may make it."""
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        _move(need, new_status, actor=actor, reason=reason)
    return need


def _refusal(current: str, new: str) -> str:
    return _("A need that is “%(current)s” cannot become “%(new)s”.") % {
        "current": NeedStatus(current).label,
        "new": NeedStatus(new).label,
    }


def _move(need: Need, new_status: str, *, actor: User | None, reason: str, why: str = "") -> None:
    """The one place a need changes status: checked, saved, recorded (who, when, from, to,
    why). ``reason`` is what a person wrote; ``why`` codes the platform's own moves (shown in
    each reader's language). Publishing adds the proposing supermarket's own interest."""
    if not lifecycle.can_move(need.status, new_status):
        raise DomainError(_refusal(need.status, new_status))
    if new_status == lifecycle.QUOTED and not need.quotes.valid().exists():
        raise DomainError(_("A need is quoted only while it has a valid quote."))
    previous = need.status
    need.status = new_status
    need.status_changed_at = timezone.now()
    need.save(update_fields=["status", "status_changed_at", "updated_at"])
    roadmap_version.changed()
    log_action(
        actor,
        "needs.need.status_changed",
        need,
        {"from": previous, "to": new_status, "reason": reason.strip(), "why": why},
    )
    if previous == lifecycle.DRAFT:
        emails.notify_new_need(need)
    else:
        emails.notify_status_change(need, previous, actor=actor)
    organisation = need.organisation
    if previous == lifecycle.DRAFT and organisation.kind == OrganisationKind.SUPERMARKET:
        Interest.objects.get_or_create(
            need=need,
            organisation=organisation,
            defaults={"priority": Priority.MUST, "created_by": need.author},
        )
    if new_status == lifecycle.OPEN and need.quotes.valid().exists():
        # Reopened (after a postponement or a failed campaign) with a quote still valid.
        _move(need, lifecycle.QUOTED, actor=actor, reason="", why=WHY_VALID_QUOTE)


def express_interest(
    need: Need, supermarket: Organisation, *, actor: User, priority: str, comment: str
) -> Interest:
    """Record, or update, that ``supermarket`` needs this too."""
    if need.status not in lifecycle.ACTIVE:
        raise DomainError(_("Interest can only be expressed while the need is active."))
    require(permissions.supermarkets_speaking_through(actor).filter(pk=supermarket.pk).exists())
    with transaction.atomic():
        interest, created = Interest.objects.select_for_update().get_or_create(
            need=need,
            organisation=supermarket,
            defaults={"priority": priority, "comment": comment.strip(), "created_by": actor},
        )
        if not created:
            interest.priority, interest.comment = priority, comment.strip()
            interest.save(update_fields=["priority", "comment", "updated_at"])
        roadmap_version.changed()
        log_action(
            actor,
            "needs.interest.expressed" if created else "needs.interest.changed",
            need,
            {"organisation": supermarket.slug, "priority": priority},
        )
    return interest


def withdraw_interest(need: Need, supermarket: Organisation, *, actor: User) -> None:
    if need.status not in lifecycle.ACTIVE:
        raise DomainError(_("Interest can only be expressed while the need is active."))
    require(permissions.supermarkets_speaking_through(actor).filter(pk=supermarket.pk).exists())
    with transaction.atomic():
        deleted, _details = Interest.objects.filter(need=need, organisation=supermarket).delete()
        if deleted:
            roadmap_version.changed()
            log_action(actor, "needs.interest.withdrawn", need, {"organisation": supermarket.slug})


def add_comment(need: Need, *, author: User, body: str) -> Comment:
    """A comment, e-mailed to the need's author and the interested supermarkets'
    representatives (not to the commenter), each in their own language."""
    require(permissions.can_comment(author, need))
    with transaction.atomic():
        comment = Comment.objects.create(need=need, author=author, body=body.strip())
        log_action(author, "needs.comment.added", need, {"comment": comment.pk})
        for recipient in emails.concerned(need, exclude=author):
            emails.send_comment_notification(comment, recipient)
    return comment


def follow_need(need: Need, *, user: User) -> None:
    require(permissions.can_follow(user, need))
    with transaction.atomic():
        _follow, created = NeedFollow.objects.get_or_create(user=user, need=need)
        if created:
            log_action(user, "needs.need.followed", need)


def unfollow_need(need: Need, *, user: User) -> None:
    with transaction.atomic():
        deleted, _details = NeedFollow.objects.filter(user=user, need=need).delete()
        if deleted:
            log_action(user, "needs.need.unfollowed", need)


def follow_tag(tag: Tag, *, user: User) -> None:
    require(user.is_authenticated and user.is_active)
    with transaction.atomic():
        _follow, created = TagFollow.objects.get_or_create(user=user, tag=tag)
        if created:
            log_action(user, "needs.tag.followed", tag)


def unfollow_tag(tag: Tag, *, user: User) -> None:
    with transaction.atomic():
        deleted, _details = TagFollow.objects.filter(user=user, tag=tag).delete()
        if deleted:
            log_action(user, "needs.tag.unfollowed", tag)


def add_attachment(
    need: Need, *, actor: User, upload: UploadedFile, content_type: str, extension: str
) -> Attachment:
    """Store an upload (already checked: size and real type) under a name of our own."""
    require(permissions.can_edit_need(actor, need))
    if need.attachments.count() >= MAX_ATTACHMENTS:
        raise DomainError(
            _("A need has at most %(count)d attachments.") % {"count": MAX_ATTACHMENTS}
        )
    with transaction.atomic():
        attachment = Attachment(
            need=need,
            name=(upload.name or "file")[:200],
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
        attachment.save()
        log_action(actor, "needs.attachment.added", need, {"name": attachment.name})
    return attachment


def delete_attachment(attachment: Attachment, *, actor: User) -> None:
    require(permissions.can_edit_need(actor, attachment.need))
    with transaction.atomic():
        log_action(actor, "needs.attachment.deleted", attachment.need, {"name": attachment.name})
        attachment.delete()
        # The file goes only once the row is gone for good.
        transaction.on_commit(lambda: attachment.file.delete(save=False))


def add_quote(
    need: Need,
    provider: Organisation,
    *,
    author: User,
    amount: Decimal,
    provider_contribution: Decimal,
    scope: str,
    estimated_days: Decimal,
    valid_until: datetime.date,
) -> Quote:
    """A provider's quote. The need becomes "quoted"; the provider's estimate is done."""
    # The provider's people, or a facilitator entering a quote the provider sent.
    require(
        is_facilitator(author)
        or permissions.providers_quoting_through(author).filter(pk=provider.pk).exists()
    )
    if provider_contribution > amount:
        raise DomainError(_("The provider's contribution cannot exceed the amount."))
    if valid_until < instance_today():
        raise DomainError(_("A quote must be valid at least until today."))
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.status not in (lifecycle.OPEN, lifecycle.QUOTED, lifecycle.POSTPONED):
            raise DomainError(_("This need no longer takes quotes."))
        quote = Quote.objects.create(
            need=need,
            provider=provider,
            author=author,
            amount=amount,
            provider_contribution=provider_contribution,
            scope=scope.strip(),
            estimated_days=estimated_days,
            valid_until=valid_until,
        )
        log_action(author, "needs.quote.added", need, {"quote": quote.pk, "amount": str(amount)})
        emails.notify_quote(quote, actor=author)
        if need.status == lifecycle.OPEN:
            _move(need, lifecycle.QUOTED, actor=author, reason="", why=WHY_VALID_QUOTE)
        done = EstimateAssignment.objects.filter(
            need=need, provider=provider, status=EstimateStatus.ASSIGNED
        ).update(status=EstimateStatus.DONE)
        if done:
            log_action(author, "needs.estimate.done", need, {"provider": provider.slug})
        transaction.on_commit(lambda: _schedule_expiry(quote))
    return quote


def _schedule_expiry(quote: Quote) -> None:
    """With a worker that can wait, the quote expires by itself the day after its date;
    otherwise `komunigi expire_quotes` (daily cron) does it. Pages never show it valid."""
    from komunigi.needs.tasks import expire_quote_after_its_date

    if expire_quote_after_its_date.get_backend().supports_defer:
        day_after = quote.valid_until + datetime.timedelta(days=1)
        at = timezone.make_aware(
            datetime.datetime.combine(day_after, datetime.time.min),
            timezone.get_default_timezone(),
        )
        expire_quote_after_its_date.using(run_after=at).enqueue(quote.pk)


def withdraw_quote(quote: Quote, *, actor: User) -> None:
    require(permissions.can_withdraw_quote(actor, quote))
    with transaction.atomic():
        quote = (
            Quote.objects.select_for_update(of=("self",)).select_related("need").get(pk=quote.pk)
        )
        if quote.status != QuoteStatus.PROPOSED:
            raise DomainError(_("Only a proposed quote can be withdrawn."))
        _set_quote_status(quote, QuoteStatus.WITHDRAWN, actor=actor)
        _reopen_if_unquoted(quote.need, actor=actor)


def expire_quotes(today: datetime.date | None = None) -> int:
    """Mark quotes past their validity date as expired; needs left without one reopen."""
    today = today or instance_today()
    stale = Quote.objects.filter(status=QuoteStatus.PROPOSED, valid_until__lt=today)
    return sum(expire_quote(pk, today=today) for pk in stale.values_list("pk", flat=True))


def expire_quote(quote_id: int, *, today: datetime.date | None = None) -> bool:
    """Expire one quote if it is still proposed and its validity date has passed."""
    today = today or instance_today()
    with transaction.atomic():
        quote = (
            Quote.objects.select_for_update(of=("self",)).select_related("need").get(pk=quote_id)
        )
        if quote.status != QuoteStatus.PROPOSED or quote.valid_until >= today:
            return False
        _set_quote_status(quote, QuoteStatus.EXPIRED, actor=None)
        _reopen_if_unquoted(quote.need, actor=None, today=today)
    return True


def accept_quote(quote: Quote, *, actor: User) -> None:
    """The quote a co-financing campaign is opened on: the provider will do the work."""
    require(is_facilitator(actor))
    with transaction.atomic():
        quote = (
            Quote.objects.select_for_update(of=("self",)).select_related("need").get(pk=quote.pk)
        )
        if quote.effective_status() != QuoteStatus.PROPOSED:
            raise DomainError(_("Only a valid quote can be accepted."))
        _set_quote_status(quote, QuoteStatus.ACCEPTED, actor=actor)


def _set_quote_status(quote: Quote, status: str, *, actor: User | None) -> None:
    quote.status = status
    quote.status_changed_at = timezone.now()
    quote.save(update_fields=["status", "status_changed_at"])
    log_action(actor, f"needs.quote.{status}", quote.need, {"quote": quote.pk})


def _reopen_if_unquoted(need: Need, *, actor: User | None, today: Any = None) -> None:
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status == lifecycle.QUOTED and not need.quotes.valid(today).exists():
        _move(need, lifecycle.OPEN, actor=actor, reason="", why=WHY_NO_VALID_QUOTE)


def request_estimate(need: Need, *, actor: User) -> None:
    require(permissions.can_request_estimate(actor, need))
    with transaction.atomic():
        updated = Need.objects.filter(pk=need.pk, estimate_requested_at=None).update(
            estimate_requested_at=timezone.now()
        )
        if updated:
            log_action(actor, "needs.estimate.requested", need)


def assign_estimate(
    need: Need, provider: Organisation, *, actor: User, hours_budget: Decimal
) -> EstimateAssignment:
    """A facilitator asks ``provider`` to estimate the need within ``hours_budget`` hours."""
    require(permissions.can_assign_estimate(actor))
    if provider.kind != OrganisationKind.PROVIDER:
        raise DomainError(_("Only providers estimate needs."))
    if need.status not in (lifecycle.OPEN, lifecycle.QUOTED):
        raise DomainError(_("Only open or quoted needs are estimated."))
    with transaction.atomic():
        assignment = EstimateAssignment.objects.create(
            need=need, provider=provider, hours_budget=hours_budget, assigned_by=actor
        )
        if need.estimate_requested_at is None:
            Need.objects.filter(pk=need.pk).update(estimate_requested_at=timezone.now())
        log_action(
            actor,
            "needs.estimate.assigned",
            need,
            {"provider": provider.slug, "hours_budget": str(hours_budget)},
        )
    return assignment


def record_estimate_hours(
    assignment: EstimateAssignment, *, actor: User, hours_spent: Decimal
) -> None:
    require(is_facilitator(actor) or permissions.is_in(actor, assignment.provider_id))
    if assignment.status == EstimateStatus.CANCELLED:
        raise DomainError(_("This estimate was cancelled."))
    with transaction.atomic():
        assignment.hours_spent = hours_spent
        assignment.save(update_fields=["hours_spent"])
        log_action(
            actor,
            "needs.estimate.hours_recorded",
            assignment.need,
            {"provider": assignment.provider.slug, "hours_spent": str(hours_spent)},
        )
