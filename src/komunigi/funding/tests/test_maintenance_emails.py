"""What the organisations hear of a maintenance plan: it opens with their bill, its deadline
nears without their commitment, it is funded (their share is due) or not, a newcomer credits
them. Each reaches a real SMTP server, in the person's language."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from komunigi.commons.models import Module
from komunigi.funding.models import MaintenancePlan
from komunigi.funding.services import maintenance, maintenance_joins
from komunigi.funding.tests.test_maintenance import member
from komunigi.funding.tests.test_maintenance_joins import TODAY, year_plan
from komunigi.notifications import outbox
from komunigi.notifications.models import OutboxMessage
from komunigi.testing import SmtpServer

pytestmark = pytest.mark.django_db
D = Decimal


def subjects(person) -> list[str]:
    return list(
        OutboxMessage.objects.filter(to=person.email)
        .order_by("pk")
        .values_list("subject", flat=True)
    )


def day(moment: datetime.datetime) -> str:
    with translation.override("en"):
        return date_format(timezone.localtime(moment), "DATE_FORMAT")


def in_english(*people) -> None:
    for person in people:
        person.language = "en"
        person.save(update_fields=["language"])


def test_each_organisation_hears_the_plan_open_with_its_bill_and_its_close(
    facilitator, smtp_server: SmtpServer
) -> None:
    bees, claire = member("BEES coop", "shift", "pos")
    bloum, nathalie = member("BLOUM", "shift")
    _other, stranger = member("Le NID", "sales")  # runs none of the plan's modules
    in_english(claire, nathalie, stranger)
    plan = year_plan(facilitator, {"shift": "600.00", "pos": "100.00"}, days_gone=0)
    assert subjects(claire) == [
        "Maintenance plan “Maintenance”: BEES coop would pay €400.00 if everyone who runs its "
        f"modules commits, until {day(plan.deadline)}"
    ]
    assert subjects(nathalie)[0].startswith(
        "Maintenance plan “Maintenance”: BLOUM would pay €300.00"
    )
    assert subjects(stranger) == []

    maintenance.commit(plan, bees, actor=claire)
    maintenance.commit(plan, bloum, actor=nathalie)
    maintenance.close_plan(plan, actor=facilitator)
    assert (
        subjects(claire)[-1] == "Maintenance plan “Maintenance” is funded: BEES coop owes €400.00"
    )
    assert subjects(nathalie)[-1] == "Maintenance plan “Maintenance” is funded: BLOUM owes €300.00"

    outbox.deliver_due()
    received = {m["To"]: m for m in smtp_server.messages if m["Subject"].endswith("owes €400.00")}
    message = received[claire.email]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"/en/co-financing/maintenance/{plan.pk}/" in text


def test_three_days_before_the_deadline_who_has_not_committed_is_reminded_once(
    facilitator,
) -> None:
    bees, claire = member("BEES coop", "shift")
    bloum, nathalie = member("BLOUM", "shift")
    _nid, jonas = member("Le NID", "shift")
    in_english(claire, nathalie, jonas)
    plan = year_plan(facilitator, {"shift": "600.00"}, days_gone=0)  # still collecting
    maintenance.commit(plan, bees, actor=claire)
    maintenance.commit(plan, bloum, actor=nathalie, needs_board_approval=True)
    MaintenancePlan.objects.filter(pk=plan.pk).update(
        deadline=timezone.now() + datetime.timedelta(days=10)
    )
    OutboxMessage.objects.all().delete()

    assert maintenance.send_plan_reminders() == 0  # not three days before yet
    MaintenancePlan.objects.filter(pk=plan.pk).update(
        deadline=timezone.now() + datetime.timedelta(days=2)
    )
    assert maintenance.send_plan_reminders() == 1
    plan.refresh_from_db()
    assert subjects(claire) == []
    assert subjects(nathalie) == [
        "Maintenance plan “Maintenance”: BLOUM's commitment still waits for its board; "
        f"commitments close on {day(plan.deadline)}"
    ]
    assert subjects(jonas)[0].startswith("Maintenance plan “Maintenance”: Le NID has not committed")
    later = timezone.now() + datetime.timedelta(hours=1)
    assert maintenance.send_plan_reminders(later) == 0  # once
    assert len(subjects(jonas)) == 1


def test_a_newcomer_hears_its_share_and_the_earlier_sharers_their_credit(facilitator) -> None:
    bees, claire = member("BEES coop", "shift")
    plan = year_plan(facilitator, {"shift": "730.00"})
    maintenance.commit(plan, bees, actor=claire)
    maintenance.close_plan(plan, actor=facilitator)
    nid, jonas = member("Le NID", "shift")
    in_english(claire, jonas)
    maintenance_joins.join(
        plan, nid, Module.objects.get(technical_name="shift"), actor=facilitator, joined_on=TODAY
    )
    assert subjects(jonas) == [
        "Le NID now shares shift in “Maintenance”: €146.00 for the rest of the period"
    ]
    assert subjects(claire)[-1] == (
        "BEES coop is credited €146.00: Le NID now shares shift in “Maintenance”"
    )
