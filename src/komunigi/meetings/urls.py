from django.urls import path

from komunigi.meetings import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/calendar/", views.calendar_page, name="meetings_calendar"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/live/", views.meeting_live, name="meeting_live"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/invite/", views.meeting_invite, name="meeting_invite"),
    path("meetings/<int:pk>/start/", views.meeting_start, name="meeting_start"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/prepare/", views.meeting_prepare, name="meeting_prepare"),
    path("meetings/<int:pk>/reply/", views.meeting_reply, name="meeting_reply"),
    path("meetings/<int:pk>/attendance/", views.attendance_add, name="attendance_add"),
    path(
        "meetings/<int:pk>/attendance/<int:attendance_id>/remove/",
        views.attendance_remove,
        name="attendance_remove",
    ),
    path("meetings/<int:pk>/items/", views.item_add, name="item_add"),
    path("meetings/<int:pk>/items/<int:item_id>/remove/", views.item_remove, name="item_remove"),
    path("meetings/<int:pk>/minutes/", views.minutes_page, name="meeting_minutes"),
    path("decisions/<int:pk>/open/", views.decision_open, name="decision_open"),
    path("decisions/<int:pk>/close/", views.decision_close, name="decision_close"),
    path("decisions/<int:pk>/rule/", views.decision_rule, name="decision_rule"),
    path("decisions/<int:pk>/vote/", views.decision_vote, name="decision_vote"),
]
