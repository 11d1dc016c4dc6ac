from django.urls import path

from komunigi.funding import views, views_maintenance

urlpatterns = [
    path("co-financing/", views.campaign_list, name="campaigns"),
    path("co-financing/simulator/", views.simulator, name="funding_simulator"),
    path("co-financing/budget/", views.budget_page, name="funding_budget"),
    path("co-financing/budget/entries/", views.fund_entry, name="fund_entry"),
    path("co-financing/fees/", views.fees_page, name="fees"),
    path("co-financing/fees/issue/", views.fees_issue, name="fees_issue"),
    path("co-financing/fees/payments/", views.fees_payment, name="fees_payment"),
    path("co-financing/fees/reminders/", views.fees_remind, name="fees_remind"),
    path("co-financing/fees/tiers/", views.fees_tier, name="fees_tier"),
    path("co-financing/sponsorships/", views.sponsorships_page, name="sponsorships"),
    path("co-financing/sponsorships/<int:pk>/end/", views.sponsorship_end, name="sponsorship_end"),
    path("co-financing/history/", views.history_page, name="funding_history"),
    path("co-financing/maintenance/", views_maintenance.plan_list, name="maintenance_plans"),
    path("co-financing/maintenance/new/", views_maintenance.plan_open, name="maintenance_open"),
    path(
        "co-financing/maintenance/<int:pk>/",
        views_maintenance.plan_detail,
        name="maintenance_plan",
    ),
    path(
        "co-financing/maintenance/<int:pk>/commit/",
        views_maintenance.plan_commit,
        name="maintenance_commit",
    ),
    path(
        "co-financing/maintenance/<int:pk>/opt-out/",
        views_maintenance.plan_opt_out,
        name="maintenance_opt_out",
    ),
    path(
        "co-financing/maintenance/<int:pk>/shares.csv",
        views_maintenance.plan_shares_csv,
        name="maintenance_csv",
    ),
    path(
        "co-financing/maintenance/<int:pk>/renew/",
        views_maintenance.plan_renew,
        name="maintenance_renew",
    ),
    path(
        "co-financing/maintenance/<int:pk>/join/",
        views_maintenance.plan_join,
        name="maintenance_join",
    ),
    path(
        "co-financing/maintenance/<int:pk>/close/",
        views_maintenance.plan_close,
        name="maintenance_close",
    ),
    path("co-financing/statements/<slug:slug>/", views.statement_page, name="statement"),
    path(
        "co-financing/statements/<slug:slug>/refunds/",
        views.statement_refund,
        name="statement_refund",
    ),
    path("co-financing/<int:pk>/", views.campaign_detail, name="campaign"),
    path("co-financing/<int:pk>/split/", views.campaign_split, name="campaign_split"),
    path("co-financing/<int:pk>/pledge/", views.campaign_pledge, name="campaign_pledge"),
    path("co-financing/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("co-financing/<int:pk>/cancel/", views.campaign_cancel, name="campaign_cancel"),
    path("co-financing/<int:pk>/payments/", views.campaign_payment, name="campaign_payment"),
    path(
        "co-financing/<int:pk>/late-joiners/",
        views.campaign_late_joiner,
        name="campaign_late_joiner",
    ),
    path("co-financing/<int:pk>/shares.csv", views.campaign_shares_csv, name="campaign_csv"),
    path("needs/<int:need_id>/co-financing/", views.campaign_open, name="campaign_open"),
    path("ledger/<int:pk>/reverse/", views.transaction_reverse, name="transaction_reverse"),
]
