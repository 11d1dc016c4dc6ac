from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonsConfig(AppConfig):
    name = "komunigi.commons"
    verbose_name = _("Digital commons")
