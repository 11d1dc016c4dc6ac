from django.urls import path

from komunigi.needs import views

urlpatterns = [
    path("needs/", views.need_list, name="needs"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:pk>/status/", views.need_status, name="need_status"),
    path("needs/<int:pk>/follow/", views.need_follow, name="need_follow"),
    path("needs/tags/<slug:slug>/follow/", views.tag_follow, name="tag_follow"),
    path("needs/<int:pk>/interest/", views.need_interest, name="need_interest"),
    path("needs/<int:pk>/comments/", views.need_comment, name="need_comment"),
    path("needs/<int:pk>/attachments/", views.need_attachment_add, name="need_attachment_add"),
    path(
        "needs/<int:pk>/attachments/<int:attachment>/",
        views.need_attachment,
        name="need_attachment",
    ),
    path(
        "needs/<int:pk>/attachments/<int:attachment>/delete/",
        views.need_attachment_delete,
        name="need_attachment_delete",
    ),
    path("needs/<int:pk>/quotes/", views.quote_create, name="quote_create"),
    path("quotes/<int:pk>/withdraw/", views.quote_withdraw, name="quote_withdraw"),
    path("needs/<int:pk>/estimate/", views.estimate_request, name="estimate_request"),
    path("needs/<int:pk>/estimate/assign/", views.estimate_assign, name="estimate_assign"),
    path("estimates/<int:pk>/hours/", views.estimate_hours, name="estimate_hours"),
    path("priorities/", views.round_list, name="priority_rounds"),
    path("priorities/new/", views.round_create, name="priority_round_create"),
    path("priorities/<int:pk>/", views.round_detail, name="priority_round"),
    path("priorities/<int:pk>/ballot/", views.round_ballot, name="priority_round_ballot"),
    path("priorities/<int:pk>/close/", views.round_close, name="priority_round_close"),
]
