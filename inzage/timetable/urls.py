from django.urls import path, register_converter

from inzage.timetable import views
from inzage.timetable.converters import IsoDateConverter

register_converter(IsoDateConverter, "isodate")

app_name = "timetable"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:student_id>/", views.week, name="week_now"),
    path("<int:student_id>/week/<isodate:day>/", views.week, name="week"),
    path("<int:student_id>/dag/<isodate:day>/", views.day, name="day"),
    path("huiswerk/<int:homework_id>/klaar/", views.homework_done, name="homework_done"),
    path("docent/", views.teacher_week, name="teacher_now"),
    path("docent/week/<isodate:day>/", views.teacher_week, name="teacher_week"),
    path("les/<int:lesson_id>/", views.lesson, name="lesson"),
    path("huiswerk/<int:homework_id>/verwijderen/", views.homework_remove, name="homework_remove"),
]
urlpatterns += [
    path("beheer/import/", views.pattern_import, name="pattern_import"),
    path("agenda/", views.feed_settings, name="feed_settings"),
    path("agenda/<str:token>.ics", views.feed, name="feed"),
]
