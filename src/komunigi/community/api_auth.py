"""How the JSON API knows who is calling: a personal token, the browser's session, or nobody."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from komunigi.community.services import user_for_api_token


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a personal API token from "My account"."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_api_token(token)
        if user is None:
            # A wrong token is an error, not an anonymous call: scripts should hear about it.
            raise AuthenticationError(401, "Invalid or revoked API token.")
        request.user = user
        return user


def anonymous(request: HttpRequest) -> Any:
    """Public endpoints still answer callers without credentials, as the session user or nobody."""
    return request.user if request.user.is_authenticated else AnonymousUser()


# Endpoints anyone may call; a token or a session only widens what they see.
PUBLIC = [BearerToken(), anonymous]
# What the OpenAPI document says of them: a token is optional (the empty requirement).
PUBLIC_OPENAPI: dict[str, Any] = {"security": [{}]}  # ninja appends it to the token requirement
# Endpoints for logged-in people only.
PERSONAL = [BearerToken(), django_auth]
