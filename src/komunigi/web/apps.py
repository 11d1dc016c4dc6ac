from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    default = True
    name = "komunigi.web"
    verbose_name = _("Public site")


class KomunigiAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with a site that also lets facilitators in."""

    default = False
    default_site = "komunigi.web.admin_site.KomunigiAdminSite"
