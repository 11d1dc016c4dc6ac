from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class KomunigiAdminSite(AdminSite):
    site_header = _("Komunigi administration")
    site_title = _("Komunigi administration")
    index_title = _("Community data")

    def has_permission(self, request: HttpRequest) -> bool:
        """Site administrators and facilitators; what each may touch is up to permissions."""
        user = request.user
        return bool(user.is_active and (user.is_staff or getattr(user, "is_facilitator", False)))
