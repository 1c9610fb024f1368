from django.urls import path

from inzage.access_log import views

app_name = "access_log"

urlpatterns = [
    path("", views.search, name="search"),
    path("signalen/", views.signals, name="signals"),
    path("gebruik/", views.usage, name="usage"),
    path("mijn/", views.mine_index, name="mine_index"),
    path("mijn/<int:student_id>/", views.my_log, name="mine"),
]
