from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from komunigi.http import AuthenticatedHttpRequest
from komunigi.notifications import events, services, tokens
from komunigi.notifications.forms import PreferencesForm


@login_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request.user
    choosable = events.choosable(facilitator=person.is_facilitator)
    found = services.settings_of(person)
    modes = services.modes_of(person)
    initial = {
        "digest_hour": found.digest_hour,
        "paused": found.paused,
        **{PreferencesForm.field_name(event): modes[event.kind] for event in choosable},
    }
    form = PreferencesForm(request.POST or None, initial=initial, events=choosable)
    if request.method == "POST" and form.is_valid():
        services.update_preferences(
            person,
            modes=form.modes(),
            digest_hour=form.cleaned_data["digest_hour"],
            paused=form.cleaned_data["paused"],
        )
        messages.success(request, _("Your notification preferences were saved."))
        return redirect(reverse("notification_preferences"))
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "time_zone": person.time_zone, "modes": events.Mode.choices},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def person_preferences(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What a person chose, for a facilitator answering "why did I not get it?" (read only)."""
    if not request.user.is_facilitator:
        raise PermissionDenied
    person = get_object_or_404(get_user_model(), pk=pk)
    modes = services.modes_of(person)
    rows = [
        (event, modes[event.kind])
        for event in events.choosable(facilitator=getattr(person, "is_facilitator", False))
    ]
    return render(
        request,
        "notifications/person_preferences.html",
        {
            "person": person,
            "settings": services.settings_of(person),
            "rows": rows,
            "pending": person.digest_items.filter(digest=None).count(),
            "last_digest": person.digests.order_by("-day").first(),
        },
    )


# Mail clients POST here without a session or a CSRF token (RFC 8058); the token in the
# address is the credential. A GET only asks: link scanners follow links, they must not act.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = tokens.read_unsubscribe_token(token)
    person = None
    if found is not None:
        person = get_user_model().objects.filter(pk=found[0], is_active=True).first()
    if found is None or person is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    kind = found[1]
    context = {
        "person": person,
        "kind": kind,
        "label": _describe(kind),
        "token": token,
    }
    if request.method == "POST":
        context["turned_off"] = services.unsubscribe(person, kind)
        return render(request, "notifications/unsubscribed.html", context)
    return render(request, "notifications/unsubscribe.html", context)


def _describe(kind: str) -> str:
    if kind == services.DIGEST_KIND:
        return _("your daily digest")
    event = events.EVENTS.get(kind)
    return str(event.label) if event else kind
