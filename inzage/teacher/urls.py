from django.urls import URLPattern

app_name = "teacher"

urlpatterns: list[URLPattern] = []
