from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "community_name": settings.KOMUNIGI_COMMUNITY_NAME,
        # Where the site lives, for addresses that leave it (a shared link's preview).
        "base_url": settings.KOMUNIGI_BASE_URL.rstrip("/"),
        "now": timezone.now,  # called only by a template that writes it (a printed page's date)
    }
