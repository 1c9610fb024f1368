from django.urls import path

from inzage.visibility import views

app_name = "visibility"

urlpatterns = [
    path("uitleg/", views.explain_page, name="explain"),
    path("beleid/", views.policy_page, name="policy"),
    path("beleid/toml/", views.policy_toml_page, name="policy_toml"),
    path("tijdlijn/", views.timeline_page, name="timeline"),
    path("afspraken/<int:student_id>/", views.overrides_page, name="overrides"),
    path("informatieverzoeken/<int:student_id>/", views.information_requests_page, name="information_requests"),
]
