from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("inzage.web.urls")),
    path("mijn/", include("inzage.portal.urls")),
    path("docent/", include("inzage.teacher.urls")),
    path("zichtbaarheid/", include("inzage.visibility.urls")),
    path("medewerker/", include("inzage.staff.urls")),
    path("zorg/", include("inzage.care.urls")),
    path("meldingen/", include("inzage.notifications.urls")),
    path("rapporten/", include("inzage.reports.urls")),
    path("pta/", include("inzage.pta.urls")),
    path("accounts/", include("inzage.accounts.urls")),
    path("inzagelog/", include("inzage.access_log.urls")),
    path("rooster/", include("inzage.timetable.urls")),
    path("verzuim/", include("inzage.attendance.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
]
