from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "komunigi.community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from komunigi.community import signals  # noqa: F401 - connects the receivers
