from django.urls import path

from inzage.care import views

app_name = "care"

urlpatterns = [
    path("", views.home, name="home"),
    path("leerling/<int:student_id>/", views.student_notes, name="student"),
    path("notitie/<int:note_id>/", views.note, name="note"),
]
