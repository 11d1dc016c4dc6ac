"""Background tasks for meetings: thin, they take ids and call a service."""

from django_tasks import task

from komunigi.meetings import services
from komunigi.meetings.models import Meeting


@task()
def send_reminder(meeting_id: int) -> bool:
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    return meeting is not None and services.send_reminder(meeting)
