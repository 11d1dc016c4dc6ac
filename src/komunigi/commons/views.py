from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from komunigi.commons.models import Dependency, Module, ModuleVersion
from komunigi.pagination import paginate

MODULES_PER_PAGE = 50
DEPENDENTS_SHOWN = 100  # a base module may have thousands: the first ones, and the count


def series_key_of(series: str) -> tuple[int, ...]:
    """9.0 before 12.0: series are numbers, not words."""
    return tuple(int(part) if part.isdigit() else 0 for part in series.split("."))


def series_key(version: ModuleVersion) -> tuple[int, ...]:
    return series_key_of(version.series)


def catalogue(request: HttpRequest) -> HttpResponse:
    """Every module with the series it exists for; searchable, filtered by series."""
    query = request.GET.get("q", "").strip()[:100]
    series = request.GET.get("series", "")
    modules = Module.objects.all()
    if query:
        modules = modules.filter(
            Q(technical_name__icontains=query) | Q(versions__name__icontains=query)
        ).distinct()
    if series:
        modules = modules.filter(versions__series=series, versions__gone_at=None)
    current = ModuleVersion.objects.filter(gone_at=None).order_by("series")
    page = paginate(
        request,
        modules.prefetch_related(Prefetch("versions", queryset=current)).order_by("technical_name"),
        MODULES_PER_PAGE,
    )
    rows = [(module, sorted(module.versions.all(), key=series_key)) for module in page]
    return render(
        request,
        "commons/catalogue.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "series": series,
            # A handful of distinct series, counted by the database, not every version read.
            "all_series": sorted(
                ModuleVersion.objects.order_by().values_list("series", flat=True).distinct(),
                key=series_key_of,
            ),
        },
    )


def module(request: HttpRequest, technical_name: str) -> HttpResponse:
    found = get_object_or_404(Module, technical_name=technical_name)
    versions = sorted(found.versions.select_related("repository"), key=series_key)
    dependents = (
        Dependency.objects.filter(name=technical_name, version__gone_at=None)
        .select_related("version__module")
        .order_by("version__module__technical_name", "version__series")
    )
    return render(
        request,
        "commons/module.html",
        {
            "module": found,
            "versions": versions,
            "dependents": [d.version for d in dependents[:DEPENDENTS_SHOWN]],
            "dependents_count": dependents.count(),
        },
    )
