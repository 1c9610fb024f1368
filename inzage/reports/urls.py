from django.urls import path

from inzage.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:row_id>/rapport.pdf", views.report_pdf, name="pdf"),
    path("klassen/", views.classes, name="classes"),
    path("klas/<int:class_id>/periode/<int:period_id>/", views.publish, name="publish"),
    path("klas/<int:class_id>/periode/<int:period_id>/rapporten.pdf", views.class_pdf, name="class_pdf"),
]
