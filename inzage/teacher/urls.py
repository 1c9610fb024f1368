from django.urls import path

from inzage.teacher import views

app_name = "teacher"

urlpatterns = [
    path("", views.home, name="home"),
    path("groep/<int:group_id>/", views.group_detail, name="group"),
    path("groep/<int:group_id>/overzicht/", views.group_overview_view, name="overview"),
    path("groep/<int:group_id>/kolom/nieuw/", views.column_new, name="column_new"),
    path("groep/<int:group_id>/import/", views.import_results, name="import"),
    path("groep/<int:group_id>/export.csv", views.export_results, name="export"),
    path("groep/<int:group_id>/kolom/<int:column_id>/", views.column_grid, name="column"),
    path("groep/<int:group_id>/kolom/<int:column_id>/vrijgeven/", views.column_release_view, name="column_release"),
    path(
        "groep/<int:group_id>/kolom/<int:column_id>/leerling/<int:student_id>/",
        views.result_history_view,
        name="result_history",
    ),
]
