"""Which modules an organisation runs: seen on its page, managed by its representatives."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komunigi.commons import permissions, services
from komunigi.commons.catalogue import series_key_of
from komunigi.commons.forms import AddModuleForm, UploadModulesForm
from komunigi.commons.models import Installation, Module
from komunigi.community import permissions as community_permissions
from komunigi.community.models import Organisation
from komunigi.errors import DomainError
from komunigi.http import AuthenticatedHttpRequest

FOUND_SHOWN = 20


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    found = get_object_or_404(Organisation, slug=slug)
    if not community_permissions.can_see_organisation(request.user, found):
        raise Http404
    return found


def organisation_modules(
    request: HttpRequest, slug: str, status: int = 200, **bound: Any
) -> HttpResponse:
    organisation = _organisation(request, slug)
    hidden = services.is_list_hidden(organisation)
    can_manage = permissions.can_manage_modules(request.user, organisation)
    visible = can_manage or permissions.can_see_modules(request.user, organisation, hidden)
    by_series: dict[str, list[Installation]] = {}
    if visible:
        for installation in organisation.installations.select_related("module").order_by(
            "module__technical_name"
        ):
            by_series.setdefault(installation.series, []).append(installation)
    query = request.GET.get("q", "").strip()[:100]
    series = request.GET.get("series", "") or organisation.odoo_series or ""
    found: list[Module] = []
    if can_manage and query:
        found = list(
            Module.objects.filter(
                Q(technical_name__icontains=query) | Q(versions__name__icontains=query)
            )
            .distinct()
            .order_by("technical_name")[:FOUND_SHOWN]
        )
    return render(
        request,
        "commons/organisation_modules.html",
        {
            "organisation": organisation,
            "visible": visible,
            "hidden": hidden,
            "can_manage": can_manage,
            "by_series": sorted(by_series.items(), key=lambda item: series_key_of(item[0])),
            "query": query,
            "series": series,
            "found": found,
            "add_form": bound.get("add_form") or AddModuleForm(initial={"series": series}),
            "upload_form": bound.get("upload_form")
            or UploadModulesForm(initial={"series": series}),
            "replaced": bound.get("replaced"),
        },
        status=status,
    )


def _managed(request: HttpRequest, slug: str) -> Organisation:
    organisation = _organisation(request, slug)
    if not permissions.can_manage_modules(request.user, organisation):
        raise PermissionDenied
    return organisation


@login_required
@require_POST
def add_module(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed(request, slug)
    form = AddModuleForm(request.POST)
    if not form.is_valid():
        return organisation_modules(request, slug, status=400, add_form=form)
    services.add_installation(
        organisation, form.cleaned_data["module"], form.cleaned_data["series"], actor=request.user
    )
    messages.success(
        request,
        _("%(module)s added on %(series)s.")
        % {"module": form.cleaned_data["module"], "series": form.cleaned_data["series"]},
    )
    return redirect("organisation_modules", slug)


@login_required
@require_POST
def remove_module(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _managed(request, slug)
    installation = get_object_or_404(
        organisation.installations.select_related("module", "organisation"), pk=pk
    )
    services.remove_installation(installation, actor=request.user)
    messages.success(
        request,
        _("%(module)s removed from %(series)s.")
        % {"module": installation.module, "series": installation.series},
    )
    return redirect("organisation_modules", slug)


@login_required
@require_POST
def upload_modules(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed(request, slug)
    form = UploadModulesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            replaced = services.replace_from_export(
                organisation,
                form.cleaned_data["series"],
                form.cleaned_data["file"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            return organisation_modules(request, slug, replaced=replaced, upload_form=form)
    return organisation_modules(request, slug, status=400, upload_form=form)


@login_required
@require_POST
def module_list_visibility(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed(request, slug)
    hidden = request.POST.get("hidden") == "1"
    services.set_list_hidden(organisation, hidden, actor=request.user)
    messages.success(
        request,
        _("Only the organisation's people and facilitators see its modules now.")
        if hidden
        else _("Everybody sees the organisation's modules now."),
    )
    return redirect("organisation_modules", slug)
