from django.urls import URLPattern

app_name = "visibility"

urlpatterns: list[URLPattern] = []
