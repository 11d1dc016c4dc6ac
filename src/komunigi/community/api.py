from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from komunigi.community.api_auth import PERSONAL, PUBLIC, PUBLIC_OPENAPI
from komunigi.community.models import Organisation, OrganisationKind, OrganisationStatus
from komunigi.pagination import ApiPages

router = Router(tags=["community"])


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: OrganisationKind
    status: OrganisationStatus
    country: str = Field(description="ISO 3166-1 alpha-2 code")
    country_name: str
    city: str
    website: str
    languages: list[str] = Field(description="Language codes")
    description: str
    member_households: int | None
    odoo_series: str
    joined_on: date | None
    url: str = Field(description="The organisation's page on the site")

    @staticmethod
    def resolve_country(obj: Organisation) -> str:
        return obj.country.code

    @staticmethod
    def resolve_country_name(obj: Organisation) -> str:
        return str(obj.country.name)

    @staticmethod
    def resolve_url(obj: Organisation, context: dict) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class OrganisationFilters(Schema):
    kind: OrganisationKind | None = None
    status: OrganisationStatus | None = None
    country: str | None = Field(None, pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")


@router.get(
    "/organisations",
    response=list[OrganisationOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="List organisations",
)
@paginate(ApiPages)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilters]):
    """Organisations of the community, by name. Applicants are listed for facilitators only."""
    organisations = Organisation.objects.visible_to(request.user)
    if filters.kind:
        organisations = organisations.filter(kind=filters.kind)
    if filters.status:
        organisations = organisations.filter(status=filters.status)
    if filters.country:
        organisations = organisations.filter(country=filters.country.upper())
    return organisations


@router.get(
    "/organisations/{slug}",
    response=OrganisationOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="One organisation",
)
def get_organisation(request: HttpRequest, slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)


class MembershipOut(Schema):
    organisation: str = Field(description="The organisation's slug")
    organisation_name: str
    role: str

    @staticmethod
    def resolve_organisation(obj: object) -> str:
        return obj.organisation.slug  # type: ignore[attr-defined]

    @staticmethod
    def resolve_organisation_name(obj: object) -> str:
        return obj.organisation.name  # type: ignore[attr-defined]


class MeOut(Schema):
    email: str
    full_name: str
    language: str
    time_zone: str
    is_facilitator: bool
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_memberships(obj: object) -> list:
        return list(obj.memberships.select_related("organisation"))  # type: ignore[attr-defined]


@router.get("/me", response=MeOut, auth=PERSONAL, summary="The caller's own profile")
def me(request: HttpRequest) -> object:
    """Who the token or session belongs to, and their roles in organisations."""
    return request.user
