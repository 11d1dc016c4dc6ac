"""Meetings in the admin, for facilitators to read. Meetings are planned and run from their
own pages, which check each move (quorum, proxies, one ballot per supermarket), renumber the
calendar invitations and tell the invitees."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from komunigi.audit.admin import ReadOnlyAdmin
from komunigi.meetings.models import AgendaItem, Attendance, Decision, DecisionBallot, Meeting


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AgendaItemInline(ReadOnlyInline):
    model = AgendaItem
    fields = ["position", "kind", "title", "need"]


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["organisation", "person", "proxy_holder"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "starts_at", "status", "visibility"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [AgendaItemInline, AttendanceInline]


class BallotInline(ReadOnlyInline):
    model = DecisionBallot
    fields = ["organisation", "choice", "reason", "cast_by"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["item", "rule", "status", "outcome", "closed_at"]
    list_filter = ["rule", "status", "outcome"]
    inlines = [BallotInline]
