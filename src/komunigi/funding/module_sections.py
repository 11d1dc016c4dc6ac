"""What co-financing adds to a module's page in the catalogue: the needs that produced or
change it, with their funded campaigns and who paid."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from komunigi.commons.models import Module
from komunigi.funding import permissions, statements
from komunigi.funding.models import (
    Campaign,
    CampaignStatus,
    MaintainedModule,
    MaintenanceShare,
)

FUNDERS_SHOWN = 10  # payers named per campaign; the campaign's page has them all
MAINTENANCE_SHOWN = 10  # the latest plans; the plans' page has them all


def funders(request: HttpRequest, module: Module) -> tuple[str, dict[str, Any]]:
    links = list(module.need_links.select_related("need").order_by("-produced", "-need__pk"))
    campaigns = list(
        Campaign.objects.with_details()
        .filter(need__in=[link.need_id for link in links], status=CampaignStatus.FUNDED)
        .order_by("closed_at")
    )
    payers = statements.payers(campaigns, first=FUNDERS_SHOWN)
    by_need: dict[int, list[Any]] = {}
    for campaign in campaigns:
        by_need.setdefault(campaign.need_id, []).append((campaign, payers[campaign.pk]))
    return "funding/_module_funders.html", {
        "funders": [
            {
                "need": link.need,
                "produced": link.produced,
                "campaigns": by_need.get(link.need_id, []),
            }
            for link in links
        ],
        "show_amounts": settings.KOMUNIGI_PUBLIC_SHARES
        or permissions.is_member_anywhere(request.user),
    }


def maintenance(request: HttpRequest, module: Module) -> tuple[str, dict[str, Any]]:
    """The plans that covered it: who maintained it, when, and who paid what of it."""
    covered = list(
        MaintainedModule.objects.filter(module=module)
        .select_related("plan__provider")
        .order_by("-plan__starts_on", "-plan__pk")[:MAINTENANCE_SHOWN]
    )
    shares: dict[int, list[MaintenanceShare]] = {}
    for share in MaintenanceShare.objects.filter(
        module=module, plan__in=[c.plan_id for c in covered]
    ).select_related("organisation"):
        shares.setdefault(share.plan_id, []).append(share)
    return "funding/_module_maintenance.html", {
        "maintenance": [(c, shares.get(c.plan_id, [])) for c in covered],
    }
