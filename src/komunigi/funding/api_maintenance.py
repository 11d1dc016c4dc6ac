"""The maintenance pool in the JSON API: plans, their modules and each organisation's share."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from komunigi.community.api_auth import PUBLIC, PUBLIC_OPENAPI
from komunigi.funding import permissions
from komunigi.funding.models import MaintenancePlan, MaintenanceStatus
from komunigi.funding.services import maintenance
from komunigi.money import money_text
from komunigi.pagination import ApiPages

router = Router(tags=["funding"])
MONEY = 'A decimal string, e.g. "1200.00"'


class MaintenancePlanFields(Schema):
    id: int
    title: str
    provider: str = Field(description="The provider's slug")
    series: str
    starts_on: date
    ends_on: date
    status: MaintenanceStatus
    url: str


class MaintenancePlanOut(MaintenancePlanFields):
    """Read from a plan (its provider and address resolved from it)."""

    @staticmethod
    def resolve_provider(obj: MaintenancePlan) -> str:
        return obj.provider.slug

    @staticmethod
    def resolve_url(obj: MaintenancePlan, context: dict) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class OrganisationShareOut(Schema):
    organisation: str = Field(description="The organisation's slug")
    amount: str = Field(description=MONEY)


class MaintainedModuleOut(Schema):
    technical_name: str
    cost: str = Field(description=MONEY)
    shares: list[OrganisationShareOut] = Field(description="They sum to the cost and its overhead")


class NewcomerOut(Schema):
    organisation: str = Field(description="The organisation's slug")
    module: str = Field(description="The module's technical name")
    joined_on: date
    catch_up: str = Field(description=MONEY + "; credited to the earlier sharers")
    premium: str = Field(description=MONEY + "; to the community fund")


class MaintenancePlanDetailOut(MaintenancePlanFields):
    """Built field by field: what it raises and who shares what depend on its status."""

    basis: str = Field(
        description="funded: the shares set at the close, less the credits of newcomers, "
        "theirs included; otherwise the shares if every organisation that runs the modules "
        "committed (opt-outs left out). As on the plan's page: until it is funded, each "
        "caller sees only the bills of the organisations it commits for (facilitators all "
        "of them), and once funded, the shares unless the instance keeps them to members"
    )
    to_raise: str = Field(description=MONEY)
    overhead: str = Field(description=MONEY)
    modules: list[MaintainedModuleOut]
    organisations: list[OrganisationShareOut] = Field(
        description="Each one's bill; they sum to to_raise"
    )
    newcomers: list[NewcomerOut] = Field(
        description="Organisations that joined during the period, for the days left"
    )


@router.get(
    "/maintenance-plans",
    response=list[MaintenancePlanOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="List the maintenance plans",
)
@paginate(ApiPages)
def list_plans(request: HttpRequest):
    return MaintenancePlan.objects.select_related("provider").order_by("-starts_on", "-pk")


def _frozen(plan: MaintenancePlan) -> tuple[dict[str, list[OrganisationShareOut]], dict[str, str]]:
    by_module: dict[str, list[OrganisationShareOut]] = {}
    totals: dict[str, Decimal] = {}
    for share in plan.shares.select_related("organisation", "module"):
        slug = share.organisation.slug
        by_module.setdefault(share.module.technical_name, []).append(
            OrganisationShareOut(organisation=slug, amount=money_text(share.amount))
        )
        totals[slug] = totals.get(slug, Decimal("0.00")) + share.amount
    return by_module, {slug: money_text(amount) for slug, amount in totals.items()}


def _bills_shown_to(request: HttpRequest, organisations: dict) -> set[str]:
    """The keys (organisation ids as text) of the bills ``request``'s caller may see."""
    if permissions.can_run_campaigns(request.user):
        return {str(pk) for pk in organisations}
    if not request.user.is_authenticated:
        return set()
    mine = maintenance.organisations_committing_through(request.user).values_list("pk", flat=True)
    return {str(pk) for pk in mine}


@router.get(
    "/maintenance-plans/{plan_id}",
    response=MaintenancePlanDetailOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="One maintenance plan: its modules and who shares what",
)
def get_plan(request: HttpRequest, plan_id: int) -> MaintenancePlanDetailOut:
    plan = get_object_or_404(MaintenancePlan.objects.select_related("provider"), pk=plan_id)
    covered = list(plan.modules.select_related("module").order_by("module__technical_name"))
    if plan.status == MaintenanceStatus.FUNDED:
        by_module, totals = _frozen(plan)
        # Set at the close, always, for a funded plan.
        to_raise, overhead = plan.to_raise or Decimal("0.00"), plan.overhead or Decimal("0.00")
        if not permissions.can_see_shares(request.user):
            by_module, totals = {}, {}
    else:
        seen = maintenance.preview(plan, covered)
        slugs = {str(pk): o.slug for pk, o in seen.organisations.items()}
        # Who runs a module is not public while the plan collects (an organisation may hide
        # what it runs): like the page, each caller sees its own organisations' bills.
        shown = _bills_shown_to(request, seen.organisations)
        by_module = {
            item.module.technical_name: [
                OrganisationShareOut(organisation=slugs[key], amount=money_text(amount))
                for key, amount in seen.everyone.modules[str(item.module_id)].shares
                if key in shown
            ]
            for item in covered
            if str(item.module_id) in seen.everyone.modules
        }
        totals = {
            slugs[key]: money_text(seen.everyone.total(key))
            for key in seen.everyone.bills
            if key in shown
        }
        to_raise, overhead = seen.everyone.to_raise, seen.everyone.overhead
    return MaintenancePlanDetailOut(
        id=plan.pk,
        title=plan.title,
        provider=plan.provider.slug,
        series=plan.series,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        status=MaintenanceStatus(plan.status),
        url=request.build_absolute_uri(plan.get_absolute_url()),
        basis="funded" if plan.status == MaintenanceStatus.FUNDED else "if_everyone_commits",
        to_raise=money_text(to_raise),
        overhead=money_text(overhead),
        modules=[
            MaintainedModuleOut(
                technical_name=item.module.technical_name,
                cost=money_text(item.cost),
                shares=by_module.get(item.module.technical_name, []),
            )
            for item in covered
        ],
        organisations=[
            OrganisationShareOut(organisation=slug, amount=amount)
            for slug, amount in sorted(totals.items())
        ],
        newcomers=[
            NewcomerOut(
                organisation=joined.organisation.slug,
                module=joined.module.technical_name,
                joined_on=joined.joined_on,
                catch_up=money_text(joined.catch_up),
                premium=money_text(joined.premium),
            )
            for joined in plan.joins.select_related("organisation", "module")
        ],
    )
