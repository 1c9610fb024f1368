from django.urls import path

from inzage.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notices, name="index"),
    path("instellingen/", views.settings_page, name="settings"),
    path("school/", views.school_defaults_page, name="school_defaults"),
    path("uit/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
