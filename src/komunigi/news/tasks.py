"""Background tasks for the newsletter: thin, they take ids and call a service."""

from django_tasks import task

from komunigi.news import services


@task()
def send_issue_batch(issue_id: int) -> bool:
    """Queue one batch of the issue's e-mails, then run again for the next while some
    remain. A worker stopped halfway loses nothing: `komunigi send_due_newsletters` (cron)
    enqueues this task again for every issue still being sent."""
    more = services.queue_issue_batch(issue_id)
    if more:
        send_issue_batch.enqueue(issue_id)
    return more


@task()
def start_scheduled_issue(issue_id: int) -> bool:
    """At the scheduled time (database worker only); a moved or cancelled schedule makes it
    do nothing."""
    return services.start_if_due(issue_id)
