from django.urls import path

from komunigi.commons import views

urlpatterns = [
    path("commons/", views.catalogue, name="commons"),
    path("commons/<str:technical_name>/", views.module, name="module"),
]
