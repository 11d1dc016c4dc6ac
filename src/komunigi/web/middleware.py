import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware import locale
from django.utils import timezone, translation


class LocaleMiddleware(locale.LocaleMiddleware):
    """Pages take their language from the address (/, /en/, /nl/ …); the API, which has no
    language in its addresses, from the caller's Accept-Language header (French by default)."""

    def process_request(self, request: HttpRequest) -> None:
        if not request.path_info.startswith("/api/"):
            return super().process_request(request)
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class UserTimeZoneMiddleware:
    """Show dates and times in the logged-in person's own time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
