from django.urls import path

from inzage.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
]
