"""Dates as the community sees them."""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def instance_today() -> datetime.date:
    """Today where the community lives (TIME_ZONE): the same date for every reader, page and
    cron job, whatever each person's own time zone."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def show_date(value: datetime.date) -> str:
    """A date as every page and e-mail writes it, in the active language: "1 décembre 2026",
    "1 December 2026" (a datetime gives the date of its moment in the active time zone)."""
    return format_date(_local(value) if isinstance(value, datetime.datetime) else value)


def show_moment(value: datetime.datetime) -> str:
    """A moment as every page and e-mail writes it: "1 décembre 2026 à 08:34", in the active
    language and time zone."""
    return format_moment(_local(value))


def format_date(value: datetime.date) -> str:
    """``show_date`` of a value already in the time zone wanted (templates convert first)."""
    return formats.date_format(value, "DATE_FORMAT")


def format_moment(value: datetime.datetime) -> str:
    """``show_moment`` of a value already in the time zone wanted (a meeting's own zone…)."""
    return _("%(date)s at %(time)s") % {
        "date": formats.date_format(value, "DATE_FORMAT"),
        "time": formats.time_format(value, "TIME_FORMAT"),
    }


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value
