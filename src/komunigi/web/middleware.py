import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware import locale
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control


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


class PublicCacheMiddleware:
    """A page a visitor gets exactly as every other visitor does may be kept by a reverse proxy
    for a short while: a GET answered 200 to nobody logged in, setting no cookie (so carrying
    no form's token and no message), without a Cache-Control of its own. Responses still
    vary on the cookie (a logged-in person sees another page), so a proxy keeps one copy
    for all visitors without one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.cookies
            and not response.has_header("Cache-Control")
            and not (user is not None and user.is_authenticated)
        ):
            patch_cache_control(response, public=True, max_age=settings.KOMUNIGI_PUBLIC_MAX_AGE)
        return response
