import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komunigi.commons import permissions, sections, services
from komunigi.commons.catalogue import FILTERS, filtered_modules, series_key, series_key_of
from komunigi.commons.forms import ModulesOfNeedForm
from komunigi.commons.models import (
    Dependency,
    Module,
    ModuleVersion,
    NeedModule,
    Repository,
)
from komunigi.community.models import OrganisationStatus
from komunigi.http import AuthenticatedHttpRequest
from komunigi.needs import permissions as need_permissions
from komunigi.needs.models import Need
from komunigi.pagination import paginate

MODULES_PER_PAGE = 50
DEPENDENTS_SHOWN = 100  # a base module may have thousands: the first ones, and the count
RUNNERS_SHOWN = 100


def _filters(request: HttpRequest) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip()[:100] for name in FILTERS}


def _distinct(field: str) -> list[str]:
    values = ModuleVersion.objects.exclude(**{field: ""}).order_by(field)
    return list(values.values_list(field, flat=True).distinct())


def catalogue(request: HttpRequest) -> HttpResponse:
    """Every module with the series it exists for; searchable and filtered."""
    wanted = _filters(request)
    page = paginate(request, filtered_modules(wanted), MODULES_PER_PAGE)
    rows = [(module, sorted(module.versions.all(), key=series_key)) for module in page]
    return render(
        request,
        "commons/catalogue.html",
        {
            "page": page,
            "rows": rows,
            "wanted": wanted,
            "filtered": any(wanted.values()),
            # A handful of distinct values each, chosen by the database.
            "all_series": sorted(_distinct("series"), key=series_key_of),
            "categories": _distinct("category"),
            "licenses": _distinct("license"),
            "repositories": list(Repository.objects.order_by("url")),
        },
    )


def catalogue_csv(request: HttpRequest) -> HttpResponse:
    """The catalogue as filtered, one line per module and series."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="komunigi-modules.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["technical_name", "series", "name", "version", "license", "authors", "category",
         "community_depends", "core_depends", "installable", "repository"]
    )  # fmt: skip
    versions = ModuleVersion.objects.filter(
        gone_at=None, module__in=filtered_modules(_filters(request)).values("pk")
    ).select_related("module", "repository")
    for version in sorted(versions, key=lambda v: (v.module.technical_name, series_key(v))):
        writer.writerow(
            [
                version.module.technical_name,
                version.series,
                version.name,
                version.version,
                version.license,
                ", ".join(version.authors),
                version.category,
                " ".join(version.community_depends),
                " ".join(version.core_depends),
                "yes" if version.installable else "no",
                version.repository.url if version.repository else "",
            ]
        )
    return response


def _runners(request: HttpRequest, found: Module) -> tuple[list[tuple[str, list[Any]]], int]:
    """Who runs it, by series, and how many organisations keep their list private."""
    installations = (
        found.installations.filter(organisation__status=OrganisationStatus.MEMBER)
        .select_related("organisation")
        .order_by("organisation__name")[: RUNNERS_SHOWN * 5]
    )
    hidden = permissions.lists_hidden_from(request.user)
    by_series: dict[str, list[Any]] = {}
    private = 0
    for installation in installations:
        organisation = installation.organisation
        if organisation.pk in hidden:
            private += 1
            continue
        by_series.setdefault(installation.series, []).append(organisation)
    return sorted(by_series.items(), key=lambda item: series_key_of(item[0])), private


def module(request: HttpRequest, technical_name: str) -> HttpResponse:
    found = get_object_or_404(Module, technical_name=technical_name)
    versions = sorted(found.versions.select_related("repository"), key=series_key)
    dependents = (
        Dependency.objects.filter(name=technical_name, version__gone_at=None)
        .select_related("version__module")
        .order_by("version__module__technical_name", "version__series")
    )
    runners, private = _runners(request, found)
    sections_shown, sections_context = sections.of_module(request, found)
    user = request.user
    return render(
        request,
        "commons/module.html",
        {
            "module": found,
            "versions": versions,
            "dependents": [d.version for d in dependents[:DEPENDENTS_SHOWN]],
            "dependents_count": dependents.count(),
            "runners": runners,
            "private_runners": private,
            # For the follow button: visitors have none (following is for people with an
            # address to tell), so their page asks nothing more.
            "following": user.is_authenticated and found.follows.filter(user=user).exists(),
            "sections": sections_shown,
            **sections_context,
        },
    )


@login_required
@require_POST
def module_follow(request: AuthenticatedHttpRequest, technical_name: str) -> HttpResponse:
    found = get_object_or_404(Module, technical_name=technical_name)
    if request.POST.get("follow") == "0":
        services.unfollow_module(found, user=request.user)
        messages.success(
            request, _("You no longer follow the module “%(module)s”.") % {"module": found}
        )
    else:
        services.follow_module(found, user=request.user)
        messages.success(
            request,
            _(
                "You follow the module “%(module)s”: each new need that touches it will be "
                "notified to you."
            )
            % {"module": found},
        )
    return redirect(found.get_absolute_url() + "#follow")


@login_required
def need_modules(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Which modules a need touches, and which it produced once delivered."""
    need = get_object_or_404(Need.objects.visible_to(request.user), pk=pk)
    if not need_permissions.can_edit_need(request.user, need):
        raise PermissionDenied
    links = list(NeedModule.objects.filter(need=need).select_related("module"))
    form = ModulesOfNeedForm(
        request.POST or None,
        initial={
            "touched": " ".join(link.module.technical_name for link in links if not link.produced),
            "produced": " ".join(link.module.technical_name for link in links if link.produced),
        },
    )
    if request.method == "POST" and form.is_valid():
        services.set_need_modules(
            need, form.cleaned_data["touched"], form.cleaned_data["produced"], actor=request.user
        )
        messages.success(request, _("The need's modules are saved."))
        return redirect(need)
    return render(
        request,
        "commons/need_modules.html",
        {"need": need, "form": form},
        status=400 if form.errors else 200,
    )
