"""Background tasks for needs: thin, they take ids and call a service."""

from django.utils import timezone
from django_tasks import task

from komunigi.errors import DomainError
from komunigi.needs import rounds, services
from komunigi.needs.models import PriorityRound


@task()
def close_round_at_deadline(round_id: int) -> bool:
    priority_round = PriorityRound.objects.filter(pk=round_id).first()
    if priority_round is None or priority_round.accepts_ballots():
        return False  # deleted, or its deadline moved later
    try:
        rounds.close_round(priority_round, actor=None)
    except DomainError:
        return False  # a facilitator closed it first
    return True


@task()
def expire_quote_after_its_date(quote_id: int) -> bool:
    return services.expire_quote(quote_id)


@task()
def remind_round_before_deadline(round_id: int) -> bool:
    priority_round = PriorityRound.objects.filter(pk=round_id).first()
    if priority_round is None or not priority_round.accepts_ballots():
        return False
    return rounds.remind_round(priority_round, now=timezone.now())
