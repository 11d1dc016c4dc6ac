from django.urls import path

from komunigi.funding import views

urlpatterns = [
    path("co-financing/simulator/", views.simulator, name="funding_simulator"),
]
