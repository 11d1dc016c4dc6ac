from django.urls import path

from komunigi.news import feeds, views

urlpatterns = [
    path("news/", views.archive, name="news"),
    path("news/feed/", feeds.NewsFeed(), name="news_feed"),
    path("news/subscribe/", views.subscribe, name="news_subscribe"),
    path("news/subscribe/sent/", views.subscribe_sent, name="news_subscribe_sent"),
    path("news/confirm/<str:token>/", views.confirm, name="news_confirm"),
    path("news/unsubscribe/<str:token>/", views.unsubscribe, name="news_unsubscribe"),
    path("news/account/subscribe/", views.account_subscribe, name="news_account_subscribe"),
    path("news/account/unsubscribe/", views.account_unsubscribe, name="news_account_unsubscribe"),
    path("news/<slug:slug>/", views.issue_detail, name="news_issue"),
    path("facilitation/newsletter/", views.manage_issues, name="news_manage"),
    path("facilitation/newsletter/new/", views.issue_new, name="news_issue_new"),
    path("facilitation/newsletter/<int:pk>/", views.issue_manage, name="news_manage_issue"),
    path("facilitation/newsletter/<int:pk>/edit/", views.issue_edit, name="news_issue_edit"),
    path(
        "facilitation/newsletter/<int:pk>/progress/",
        views.issue_progress,
        name="news_issue_progress",
    ),
    path(
        "facilitation/newsletter/<int:pk>/preview/<str:language>/",
        views.issue_preview,
        name="news_issue_preview",
    ),
    path("facilitation/newsletter/<int:pk>/test/", views.issue_test, name="news_issue_test"),
    path("facilitation/newsletter/<int:pk>/send/", views.issue_send, name="news_issue_send"),
    path(
        "facilitation/newsletter/<int:pk>/schedule/",
        views.issue_schedule,
        name="news_issue_schedule",
    ),
    path(
        "facilitation/newsletter/<int:pk>/unschedule/",
        views.issue_unschedule,
        name="news_issue_unschedule",
    ),
    path("facilitation/newsletter/subscribers/", views.subscribers, name="news_subscribers"),
    path(
        "facilitation/newsletter/subscribers/export.csv",
        views.subscribers_csv,
        name="news_subscribers_csv",
    ),
    path(
        "facilitation/newsletter/subscribers/<int:pk>/erase/",
        views.subscriber_erase,
        name="news_subscriber_erase",
    ),
]
