from django.urls import path

from inzage.staff import views

app_name = "staff"

urlpatterns = [
    path("klas/", views.my_class, name="my_class"),
    path("jaarlaag/", views.year, name="year"),
    path("verzuim/", views.attendance, name="attendance"),
    path("zoeken/", views.search, name="search"),
    path("leerling/<int:student_id>/", views.student, name="student"),
    path("leerling/<int:student_id>/examen/", views.candidate, name="candidate"),
]
