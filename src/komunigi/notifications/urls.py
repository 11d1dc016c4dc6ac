from django.urls import path

from komunigi.notifications import views

urlpatterns = [
    path("account/notifications/", views.preferences, name="notification_preferences"),
    path(
        "facilitation/people/<int:pk>/notifications/",
        views.person_preferences,
        name="person_notification_preferences",
    ),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
