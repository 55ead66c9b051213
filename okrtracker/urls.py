from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reports:rollup-current", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("rollup/", include("reports.urls")),
    path("rollup/", include("reports.export_urls")),
    path("", include("reports.notification_urls")),
]
