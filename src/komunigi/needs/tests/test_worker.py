"""With the database task backend, quotes expire and rounds close by themselves."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from komunigi.community.models import OrganisationKind, User
from komunigi.community.tests.factories import OrganisationFactory
from komunigi.needs import rounds, services
from komunigi.needs.tests.factories import NeedFactory

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_new_quote_is_scheduled_to_expire_the_day_after_its_date(
    settings, facilitator: User
) -> None:
    settings.TASKS = DATABASE_TASKS
    valid_until = timezone.localdate() + datetime.timedelta(days=10)
    quote = services.add_quote(
        NeedFactory(status="open"),
        OrganisationFactory(kind=OrganisationKind.PROVIDER),
        author=facilitator,
        amount=Decimal("100"),
        provider_contribution=Decimal("0"),
        scope="x",
        estimated_days=Decimal("1"),
        valid_until=valid_until,
    )
    task = DBTaskResult.objects.get(task_path__endswith="expire_quote_after_its_date")
    assert task.args_kwargs["args"] == [quote.pk]
    assert timezone.localtime(task.run_after).date() == valid_until + datetime.timedelta(days=1)


def test_a_new_round_is_scheduled_to_close_at_its_deadline(settings, facilitator: User) -> None:
    settings.TASKS = DATABASE_TASKS
    deadline = timezone.now() + datetime.timedelta(days=3)
    priority_round = rounds.open_round(
        actor=facilitator, title="R", candidates=[NeedFactory(), NeedFactory()], deadline=deadline
    )
    task = DBTaskResult.objects.get(task_path__endswith="close_round_at_deadline")
    assert (task.args_kwargs["args"], task.run_after) == ([priority_round.pk], deadline)
