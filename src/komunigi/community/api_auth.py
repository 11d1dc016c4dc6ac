"""How the JSON API knows who is calling: a personal token, the browser's session, or nobody."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from komunigi.community.services import api_token_for

READING = {"GET", "HEAD", "OPTIONS"}


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a personal API token from "My account"."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_for(token)
        if found is None:
            # A wrong token is an error, not an anonymous call: scripts should hear about it.
            raise AuthenticationError(401, "Invalid, expired or revoked API token.")
        if found.read_only and request.method not in READING:
            raise AuthenticationError(403, "This API token only reads.")
        request.user = found.user
        return found.user


def anonymous(request: HttpRequest) -> Any:
    """Public endpoints still answer callers without credentials, as the session user or nobody."""
    return request.user if request.user.is_authenticated else AnonymousUser()


# Endpoints anyone may call; a token or a session only widens what they see.
PUBLIC = [BearerToken(), anonymous]
# What the OpenAPI document says of them: a token is optional (the empty requirement).
PUBLIC_OPENAPI: dict[str, Any] = {"security": [{}]}  # ninja appends it to the token requirement
# Endpoints for logged-in people only.
PERSONAL = [BearerToken(), django_auth]
