from django.contrib.auth import views as auth_views
from django.urls import path

from komunigi.community import views

urlpatterns = [
    path("ecosystem/", views.ecosystem, name="ecosystem"),
    path("ecosystem/<slug:slug>/", views.organisation, name="organisation"),
    path("ecosystem/<slug:slug>/people/", views.organisation_invite, name="organisation_invite"),
    path(
        "ecosystem/<slug:slug>/people/<int:pk>/role/",
        views.membership_role,
        name="membership_role",
    ),
    path(
        "ecosystem/<slug:slug>/people/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("join/", views.join, name="join"),
    path("join/thanks/", views.join_thanks, name="join_thanks"),
    path("facilitation/join-requests/", views.join_requests, name="join_requests"),
    path("facilitation/join-requests/<int:pk>/", views.join_request, name="join_request"),
    path("account/", views.account, name="account"),
    path("account/tokens/", views.api_token_create, name="api_token_create"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/email/", views.email_change, name="email_change"),
    path(
        "account/email/confirm/<str:token>/",
        views.email_change_confirm,
        name="email_change_confirm",
    ),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="community/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set_password",
    ),
]
