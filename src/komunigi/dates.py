"""Dates as the community sees them."""

import datetime

from django.utils import timezone


def instance_today() -> datetime.date:
    """Today where the community lives (TIME_ZONE): the same date for every reader, page and
    cron job, whatever each person's own time zone."""
    return timezone.localdate(timezone=timezone.get_default_timezone())
