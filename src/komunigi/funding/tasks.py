"""Background tasks for co-financing: thin, they take ids and call a service."""

from django.utils import timezone
from django_tasks import task

from komunigi.errors import DomainError
from komunigi.funding import services
from komunigi.funding.models import Campaign, MaintenancePlan
from komunigi.funding.services import maintenance


@task()
def close_campaign_at_deadline(campaign_id: int) -> bool:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not campaign.is_collecting or campaign.deadline > timezone.now():
        return False
    try:
        services.close_campaign(campaign, actor=None)
    except DomainError:
        return False  # a facilitator closed it first
    return True


@task()
def remind_before_deadline(campaign_id: int) -> bool:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return False
    return services.remind_before_deadline(campaign)


@task()
def close_plan_at_deadline(plan_id: int) -> bool:
    plan = MaintenancePlan.objects.filter(pk=plan_id).first()
    if plan is None or not plan.is_collecting or plan.deadline > timezone.now():
        return False
    try:
        maintenance.close_plan(plan, actor=None)
    except DomainError:
        return False  # a facilitator closed it first
    return True


@task()
def remind_plan_before_deadline(plan_id: int) -> bool:
    plan = MaintenancePlan.objects.filter(pk=plan_id).first()
    if plan is None:
        return False
    return maintenance.remind_before_deadline(plan)
