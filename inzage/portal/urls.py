from django.urls import path

from inzage.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.grades_index, name="index"),
    path("cijfers/", views.grades_index, name="grades_index"),
    path("cijfers/<int:student_id>/", views.grades, name="grades"),
    path("cijfers/<int:student_id>/delen/<int:result_id>/", views.share, name="share"),
    path("afspraken/<int:student_id>/", views.overrides, name="overrides"),
    path("toestemming/<int:student_id>/", views.consent, name="consent"),
]
