from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = admin.site.site_title = "OKR tracker"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("rollup/", include("reports.urls")),
    path("", include("reports.notification_urls")),
]
