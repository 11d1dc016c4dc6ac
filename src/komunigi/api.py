"""The JSON API under /api/v1/: each app contributes a router; this module assembles them."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from komunigi.commons.api import router as commons_router
from komunigi.community.api import router as community_router
from komunigi.errors import DomainError
from komunigi.funding.api import router as funding_router
from komunigi.funding.api_maintenance import router as maintenance_router
from komunigi.meetings.api import router as meetings_router
from komunigi.needs.api import router as needs_router

api = NinjaAPI(
    title="Komunigi API",
    version="1",
    description=(
        "Read the community's data and act on it from scripts. Public endpoints need no "
        "credentials; personal ones accept a personal API token (`Authorization: Bearer …`, "
        "created in “My account”) or the browser's session."
    ),
    urls_namespace="api",
)
api.add_router("", community_router)
api.add_router("", needs_router)
api.add_router("", meetings_router)
api.add_router("", funding_router)
api.add_router("", maintenance_router)
api.add_router("", commons_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(request, {"detail": error.message}, status=409)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """A service refused the caller: the same refusal as the page's 403."""
    return api.create_response(request, {"detail": _("You may not do this.")}, status=403)
