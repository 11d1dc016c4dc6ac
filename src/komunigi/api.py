"""The JSON API under /api/v1/: each app contributes a router; this module assembles them."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from komunigi.commons.api import router as commons_router
from komunigi.community.api import router as community_router
from komunigi.discussions.api import router as discussions_router
from komunigi.errors import DomainError
from komunigi.funding.api import router as funding_router
from komunigi.funding.api_campaigns import router as campaigns_router
from komunigi.funding.api_maintenance import router as maintenance_router
from komunigi.funding.api_money import router as money_router
from komunigi.meetings.api import router as meetings_router
from komunigi.needs.api import router as needs_router
from komunigi.news.api import router as news_router

# What every answer other than a success looks like, as the handlers below and ninja give it.
DETAIL: dict[str, Any] = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}},
}
VALIDATION_ERRORS: dict[str, Any] = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "description": "One item for each input refused, where it is and why",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"},
                                                                 {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        }
    },
}  # fmt: skip
REFUSALS = {
    "401": "Wrong, expired or revoked API token, or none where one is needed",
    "403": "The caller may not do this (a read-only token writes nothing)",
    "404": "Nothing there, or nothing the caller may see",
    "409": "The request contradicts the current state (a closed decision, say)",
    "422": "The input does not fit the schema",
}


class KomunigiAPI(NinjaAPI):
    """Ninja's API, whose OpenAPI document also says how each operation refuses: ninja's own
    validation errors (a list, not the string some operations document), a wrong token on any
    operation that reads one, a missing object behind a path parameter, and the refusals of
    writes."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        document = super().get_openapi_schema(**kwargs)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.update({"Detail": DETAIL, "ValidationErrors": VALIDATION_ERRORS})
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                _document_refusals(path, method, operation)
                for parameter in operation.get("parameters", []):
                    _without_null_characters(parameter.get("schema", {}))
        return document


# No address or query holds a NUL character (web.middleware.RefuseNullCharactersMiddleware
# refuses it); the bodies' schemas say so themselves where the text reaches the database.
NO_NULL_CHARACTER = "^[^\\x00]*$"


def _without_null_characters(schema: Any) -> None:
    """Say of every free text in ``schema`` that it holds no NUL character."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema):
        schema["pattern"] = NO_NULL_CHARACTER
    for key in ("properties", "patternProperties"):
        for child in schema.get(key, {}).values():
            _without_null_characters(child)
    for key in ("items", "additionalProperties", "not"):
        _without_null_characters(schema.get(key))
    for key in ("anyOf", "oneOf", "allOf"):
        for child in schema.get(key, []):
            _without_null_characters(child)


def _document_refusals(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    with_token = any("BearerToken" in s for s in operation.get("security", []))
    writes = method.lower() not in ("get", "head", "options")
    statuses = []
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.append("422")
    if "{" in path:
        statuses.append("404")
    if with_token:
        statuses.append("401")
        if writes:
            statuses += ["403", "409"]
    for status in statuses:
        schema = {
            "$ref": f"#/components/schemas/{'ValidationErrors' if status == '422' else 'Detail'}"
        }
        found = responses.get(status) or responses.get(int(status))
        if found is None:
            responses[status] = {
                "description": REFUSALS[status],
                "content": {"application/json": {"schema": schema}},
            }
        elif status == "422":  # the operation's own 422, or ninja's when the input is refused
            content = found.setdefault("content", {}).setdefault("application/json", {})
            content["schema"] = {"anyOf": [content["schema"], schema]}


api = KomunigiAPI(
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
api.add_router("", campaigns_router)
api.add_router("", money_router)
api.add_router("", maintenance_router)
api.add_router("", commons_router)
api.add_router("", discussions_router)
api.add_router("", news_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(request, {"detail": error.message}, status=409)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """A service refused the caller: the same refusal as the page's 403."""
    return api.create_response(request, {"detail": _("You may not do this.")}, status=403)
