import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
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


class RefuseNullCharactersMiddleware:
    """No address or query string holds a NUL character: PostgreSQL cannot store or compare
    one ("text fields cannot contain NUL"), so a query that carried it answered 500. The API
    answers 422 as its other validation errors (its OpenAPI document says so); a page, 400.
    The API's bodies refuse it in their own schemas, where the text reaches the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _null_character_in(request)
        if where is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            problem = {"loc": where, "msg": "Null characters are not allowed.", "type": "null"}
            return JsonResponse({"detail": [problem]}, status=422)
        return HttpResponseBadRequest("Null characters are not allowed.")


def _null_character_in(request: HttpRequest) -> list[str] | None:
    if "\x00" in request.path:
        return ["path"]
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return ["query", name.replace("\x00", "")]
    return None
