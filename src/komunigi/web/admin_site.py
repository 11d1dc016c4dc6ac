from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class KomunigiAdminSite(AdminSite):
    site_header = _("Komunigi administration")
    site_title = _("Komunigi administration")
    index_title = _("Community data")

    def has_permission(self, request: HttpRequest) -> bool:
        """Site administrators and facilitators; what each may touch is up to permissions."""
        user = request.user
        return bool(user.is_active and (user.is_staff or getattr(user, "is_facilitator", False)))

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """The site's own login, which throttles guesses per account and network, then back
        here: the admin's would let anyone try passwords without end."""
        if request.user.is_authenticated:
            raise PermissionDenied  # logged in, without the admin's permission
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index"), reverse("login")
        )
