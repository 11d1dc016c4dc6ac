from django.urls import path

from komunigi.commons import views, views_migration, views_repositories, views_running

urlpatterns = [
    path("commons/", views.catalogue, name="commons"),
    path("commons/export.csv", views.catalogue_csv, name="commons_csv"),
    path("commons/migration/", views_migration.planner, name="migration_planner"),
    path("commons/migration/plan.csv", views_migration.plan_csv, name="migration_plan_csv"),
    path("commons/migration/need/", views_migration.propose, name="migration_propose"),
    path("commons/<str:technical_name>/", views.module, name="module"),
    path("commons/<str:technical_name>/follow/", views.module_follow, name="module_follow"),
    path("facilitation/repositories/", views_repositories.repository_list, name="repositories"),
    path(
        "facilitation/repositories/<int:pk>/refresh/",
        views_repositories.repository_refresh,
        name="repository_refresh",
    ),
    path("needs/<int:pk>/modules/", views.need_modules, name="need_modules"),
    path(
        "ecosystem/<slug:slug>/modules/",
        views_running.organisation_modules,
        name="organisation_modules",
    ),
    path("ecosystem/<slug:slug>/modules/add/", views_running.add_module, name="add_module"),
    path(
        "ecosystem/<slug:slug>/modules/<int:pk>/remove/",
        views_running.remove_module,
        name="remove_module",
    ),
    path(
        "ecosystem/<slug:slug>/modules/upload/", views_running.upload_modules, name="upload_modules"
    ),
    path(
        "ecosystem/<slug:slug>/modules/visibility/",
        views_running.module_list_visibility,
        name="module_list_visibility",
    ),
]
