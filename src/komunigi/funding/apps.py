from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "komunigi.funding"
    verbose_name = _("Co-financing")

    def ready(self) -> None:
        from komunigi.commons import sections
        from komunigi.funding import module_sections

        sections.register(module_sections.funders)
        sections.register(module_sections.maintenance)
