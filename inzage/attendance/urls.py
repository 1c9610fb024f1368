from django.urls import path

from inzage.attendance import views

app_name = "attendance"

urlpatterns = [
    path("mijn/", views.student_index, name="student_index"),
    path("mijn/<int:student_id>/", views.student_page, name="student"),
    path("mijn/<int:student_id>/ziek/", views.sick_report, name="sick_report"),
    path("mijn/<int:student_id>/beter/", views.better_report, name="better_report"),
    path("mijn/<int:student_id>/verlof/", views.leave_request, name="leave_request"),
    path("lessen/", views.lessons, name="lessons"),
    path("les/<int:lesson_id>/", views.lesson, name="lesson"),
    path("registratie/<int:registration_id>/", views.registration, name="registration"),
    path("klas/", views.mentor, name="mentor"),
    path("werklijst/", views.officer, name="officer"),
    path("werklijst/scan/", views.officer_scan, name="officer_scan"),
    path("verlof/<int:request_id>/", views.leave_decide, name="leave_decide"),
    path("melding/<int:report_id>/", views.duo_report, name="duo_report"),
    path("melding/<int:report_id>/csv/", views.duo_report_csv, name="duo_report_csv"),
]
