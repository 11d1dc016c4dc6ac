from django.urls import path

from komunigi.discussions import views

urlpatterns = [
    path("lists/", views.lists, name="mailing_lists"),
    path("lists/unsubscribe/<str:token>/", views.list_unsubscribe, name="list_unsubscribe"),
    path("lists/<slug:slug>/", views.mailing_list, name="mailing_list"),
    path("lists/<slug:slug>/new/", views.thread_new, name="thread_new"),
    path("lists/<slug:slug>/subscription/", views.subscription, name="list_subscription"),
    path("threads/<int:pk>/", views.thread, name="thread"),
    path("threads/<int:pk>/reply/", views.thread_reply, name="thread_reply"),
    path("threads/<int:pk>/solved/", views.thread_solved, name="thread_solved"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("practice/", views.practice, name="practice"),
    path("posts/<int:pk>/original/", views.post_original, name="post_original"),
    path("attachments/<int:pk>/", views.post_attachment, name="post_attachment"),
    path("facilitation/moderation/", views.held_messages, name="held_messages"),
    path(
        "facilitation/moderation/<int:pk>/",
        views.held_message_decide,
        name="held_message_decide",
    ),
]
