from django.urls import path

from komunigi.web import styleguide, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("roadmap/", views.roadmap_page, name="roadmap"),
    path("styleguide/", styleguide.styleguide, name="styleguide"),
]
