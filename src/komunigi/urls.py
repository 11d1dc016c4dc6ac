from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from komunigi.api import api
from komunigi.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/setlang/", web_views.set_language, name="set_language"),
]

# French pages live at the root, the other languages under their prefix (/en/, /nl/ …).
urlpatterns += i18n_patterns(
    path("", include("komunigi.web.urls")),
    path("", include("komunigi.community.urls")),
    path("", include("komunigi.needs.urls")),
    path("", include("komunigi.meetings.urls")),
    path("", include("komunigi.funding.urls")),
    path("", include("komunigi.notifications.urls")),
    path("", include("komunigi.news.urls")),
    path("", include("komunigi.discussions.urls")),
    path("", include("komunigi.commons.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
