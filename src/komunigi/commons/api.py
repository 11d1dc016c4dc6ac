"""The catalogue, who runs what and the migration planner, read as JSON."""

from datetime import datetime

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from komunigi.commons import manifests, permissions, plans, services
from komunigi.commons.catalogue import FILTERS, filtered_modules, series_key
from komunigi.commons.models import Installation, Module, ModuleVersion
from komunigi.community import permissions as community_permissions
from komunigi.community.api_auth import PUBLIC, PUBLIC_OPENAPI
from komunigi.community.models import Organisation, OrganisationStatus
from komunigi.pagination import ApiPages

router = Router(tags=["commons"])


class ModuleOut(Schema):
    technical_name: str
    series: list[str] = Field(description="The Odoo series it exists for, oldest first")
    url: str

    @staticmethod
    def resolve_series(obj: Module) -> list[str]:
        return [v.series for v in sorted(obj.versions.all(), key=series_key)]

    @staticmethod
    def resolve_url(obj: Module, context: dict) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class ModuleFilters(Schema):
    q: str = Field("", max_length=100, description="In the technical name or the name")
    series: str = Field("", max_length=10)
    category: str = Field("", max_length=100)
    license: str = Field("", max_length=50)
    used: bool = Field(False, description="Run by at least one member organisation")


@router.get(
    "/commons/modules",
    response=list[ModuleOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="List the catalogue's modules",
)
@paginate(ApiPages)
def list_modules(request: HttpRequest, filters: Query[ModuleFilters]):
    """Each module by technical name, with the series it exists for."""
    wanted = dict.fromkeys(FILTERS, "")
    wanted.update(
        q=filters.q.strip(),
        series=filters.series,
        category=filters.category,
        license=filters.license,
        used="1" if filters.used else "",
    )
    return filtered_modules(wanted)


class VersionOut(Schema):
    series: str
    name: str
    summary: str
    version: str
    license: str
    authors: list[str]
    maintainers: list[str]
    website: str
    category: str
    core_depends: list[str] = Field(description="Odoo's own addons it depends on")
    community_depends: list[str] = Field(description="The community's modules it depends on")
    installable: bool
    development_status: str
    repository: str | None
    gone_at: datetime | None = Field(description="When it left its repository's branch")

    @staticmethod
    def resolve_repository(obj: ModuleVersion) -> str | None:
        return obj.repository.url if obj.repository else None


class RunOut(Schema):
    organisation: str = Field(description="The organisation's slug")
    series: str


class ModuleDetailOut(Schema):
    technical_name: str
    versions: list[VersionOut]
    run_by: list[RunOut] = Field(description="Member organisations that run it (public lists)")


def _visible_runs(request: HttpRequest, installations) -> list[RunOut]:
    hidden = permissions.lists_hidden_from(request.user)
    return [
        RunOut(organisation=i.organisation.slug, series=i.series)
        for i in installations
        if i.organisation_id not in hidden
    ]


@router.get(
    "/commons/modules/{technical_name}",
    response=ModuleDetailOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="One module: its versions and who runs it",
)
def get_module(request: HttpRequest, technical_name: str) -> dict:
    found = get_object_or_404(Module, technical_name=technical_name)
    installations = (
        found.installations.filter(organisation__status=OrganisationStatus.MEMBER)
        .select_related("organisation")
        .order_by("series", "organisation__slug")
    )
    # The versions as rows, read through VersionOut's resolvers once, when ninja validates the
    # answer (a VersionOut built here was read again as a row, its repository lost).
    return {
        "technical_name": found.technical_name,
        "versions": sorted(found.versions.select_related("repository"), key=series_key),
        "run_by": _visible_runs(request, installations),
    }


class InstalledOut(Schema):
    technical_name: str
    series: str


@router.get(
    "/organisations/{slug}/modules",
    response=list[InstalledOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="The modules an organisation runs",
)
def organisation_modules(request: HttpRequest, slug: str) -> list[InstalledOut]:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not community_permissions.can_see_organisation(request.user, organisation):
        raise Http404
    if not permissions.can_see_modules(
        request.user, organisation, services.is_list_hidden(organisation)
    ):
        raise Http404  # as for an organisation without a list: hiding it hides it here too
    return [
        InstalledOut(technical_name=i.module.technical_name, series=i.series)
        for i in Installation.objects.filter(organisation=organisation)
        .select_related("module")
        .order_by("series", "module__technical_name")
    ]


class PlanQuery(Schema):
    source: str = Field(pattern=manifests.SERIES.pattern, description="Like 12.0")
    target: str = Field(pattern=manifests.SERIES.pattern, description="Like 16.0")


class PlannedOut(Schema):
    technical_name: str
    step: int | None = Field(description="Its place in the order of migration, 1 first")
    in_cycle: bool = Field(description="It depends on itself through others: migrate together")
    supermarkets: int
    run_by: list[str] = Field(description="Slugs of the organisations (public lists)")
    private_lists: int
    depended_on_by: list[str]


class PlanOut(Schema):
    source: str
    target: str
    to_migrate: list[PlannedOut] = Field(description="In the order of migration")
    on_target: list[PlannedOut]
    cycles: list[list[str]]


def _planned(planned: plans.Planned) -> PlannedOut:
    return PlannedOut(
        technical_name=planned.module.technical_name,
        step=planned.step or None,
        in_cycle=planned.in_cycle,
        supermarkets=planned.supermarkets,
        run_by=[o.slug for o in planned.runners],
        private_lists=planned.hidden_runners,
        depended_on_by=planned.dependents,
    )


@router.get(
    "/commons/migration",
    response=PlanOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="A migration plan from one Odoo series to another",
)
def migration_plan(request: HttpRequest, query: Query[PlanQuery]) -> PlanOut:
    """Of the modules member organisations run on ``source``: those missing on ``target``, in
    an order where each comes after the modules it depends on, and those already there."""
    the_plan = plans.plan(query.source, query.target, viewer=request.user)
    return PlanOut(
        source=the_plan.source,
        target=the_plan.target,
        to_migrate=[_planned(p) for p in the_plan.missing],
        on_target=[_planned(p) for p in the_plan.ready],
        cycles=the_plan.cycles,
    )
