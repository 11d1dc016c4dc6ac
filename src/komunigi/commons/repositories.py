"""Repositories that facilitators register on the site, refreshed in the background."""

from django.db import transaction
from django.utils import timezone

from komunigi.audit.services import log_action
from komunigi.commons import importer, permissions
from komunigi.commons.models import ImportReport, Repository
from komunigi.community.models import User
from komunigi.errors import require


def register(url: str, name: str, *, actor: User) -> Repository:
    require(permissions.can_manage_repositories(actor))
    with transaction.atomic():
        repository, _created = Repository.objects.get_or_create(
            url=url, defaults={"name": name.strip()}
        )
        log_action(actor, "commons.repository.registered", repository, {"url": url})
        ask_refresh(repository, actor=actor)
    return repository


def ask_refresh(repository: Repository, *, actor: User) -> None:
    """Queue a refresh once the asking is committed; one at a time per repository."""
    from komunigi.commons import tasks

    require(permissions.can_manage_repositories(actor))
    with transaction.atomic():
        Repository.objects.filter(pk=repository.pk).update(refresh_requested_at=timezone.now())
        log_action(actor, "commons.repository.refresh_asked", repository)
        transaction.on_commit(lambda: tasks.refresh_repository.enqueue(repository.pk))


def refresh(repository_id: int) -> ImportReport | None:
    """Read every series branch again; a repository that cannot be read keeps its modules and
    says why."""
    repository = Repository.objects.filter(pk=repository_id).first()
    if repository is None:
        return None
    report = None
    error = ""
    try:
        report = importer.import_git(repository.url)
    except importer.ImportFailed as failure:
        error = str(failure)[:500]
    Repository.objects.filter(pk=repository_id).update(
        refresh_requested_at=None,
        refreshed_at=timezone.now(),
        last_error=error,
        **({"last_report": report} if report else {}),
    )
    return report
