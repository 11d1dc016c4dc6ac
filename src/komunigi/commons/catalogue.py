"""Reading the catalogue: its modules as filtered, and series in their numeric order."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from komunigi.commons.models import Installation, Module, ModuleVersion
from komunigi.community.models import OrganisationStatus

FILTERS = ("q", "series", "category", "license", "repository", "used")


def series_key_of(series: str) -> tuple[int, ...]:
    """9.0 before 12.0: series are numbers, not words."""
    return tuple(int(part) if part.isdigit() else 0 for part in series.split("."))


def series_key(version: ModuleVersion) -> tuple[int, ...]:
    return series_key_of(version.series)


def filtered_modules(wanted: dict[str, str]) -> QuerySet[Module]:
    """The catalogue's modules matching the filters; the version conditions hold for one
    and the same current version (16.0 under AGPL, not 16.0 and some AGPL version)."""
    modules = Module.objects.all()
    if wanted["q"]:
        modules = modules.filter(
            Q(technical_name__icontains=wanted["q"])
            | Exists(
                ModuleVersion.objects.filter(module=OuterRef("pk"), name__icontains=wanted["q"])
            )
        )
    conditions = {
        field: wanted[name]
        for name, field in (("series", "series"), ("category", "category"), ("license", "license"))
        if wanted[name]
    }
    if wanted["repository"].isdigit():
        conditions["repository_id"] = wanted["repository"]
    if conditions:
        modules = modules.filter(
            Exists(ModuleVersion.objects.filter(module=OuterRef("pk"), gone_at=None, **conditions))
        )
    if wanted["used"]:
        modules = modules.filter(
            Exists(
                Installation.objects.filter(
                    module=OuterRef("pk"), organisation__status=OrganisationStatus.MEMBER
                )
            )
        )
    current = ModuleVersion.objects.filter(gone_at=None).order_by("series")
    return modules.prefetch_related(Prefetch("versions", queryset=current)).order_by(
        "technical_name"
    )
