"""Background tasks of the commons: thin, they take plain values and call a service."""

from django_tasks import task

from komunigi.commons import repositories


@task()
def refresh_repository(repository_id: int) -> None:
    repositories.refresh(repository_id)
