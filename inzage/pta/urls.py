from django.urls import path

from inzage.pta import views

app_name = "pta"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:programme_id>/", views.detail, name="detail"),
    path("<int:programme_id>/toets/nieuw/", views.item_new, name="item_new"),
    path("<int:programme_id>/toets/<int:item_id>/", views.item_edit, name="item_edit"),
]
