"""Background tasks of the community directory: thin, they take plain values and call a service."""

from django_tasks import task

from komunigi.community import services


@task()
def request_password_reset(email: str) -> None:
    services.request_password_reset(email)
