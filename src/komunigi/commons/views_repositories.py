"""Facilitators register the community's repositories and refresh them in the background."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komunigi.commons import permissions, repositories
from komunigi.commons.forms import RepositoryForm
from komunigi.commons.models import Repository
from komunigi.http import AuthenticatedHttpRequest


def _facilitator(request: AuthenticatedHttpRequest) -> None:
    if not permissions.can_manage_repositories(request.user):
        raise PermissionDenied


@login_required
def repository_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _facilitator(request)
    form = RepositoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        repositories.register(
            form.cleaned_data["url"], form.cleaned_data["name"], actor=request.user
        )
        messages.success(request, _("The repository is registered: its modules are being read."))
        return redirect("repositories")
    return render(
        request,
        "commons/repositories.html",
        {
            "repositories": Repository.objects.select_related("last_report").order_by("url"),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def repository_refresh(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator(request)
    repository = get_object_or_404(Repository, pk=pk)
    repositories.ask_refresh(repository, actor=request.user)
    messages.success(request, _("The refresh is under way: its report shows here when done."))
    return redirect("repositories")
