from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as accounts_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reports:rollup-current", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    # The product's sign-in page is the admin's too (directory and provider sign-in, the same lockout),
    # and logging out of the admin also ends the OpenID Connect provider's session.
    path("admin/login/", accounts_views.LoginView.as_view()),
    path("admin/logout/", accounts_views.logout_view),
    path("admin/", admin.site.urls),
    path("api/v1/", include("okrtracker.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start script from a URL: no inline script (Content-Security-Policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("rollup/", include("reports.urls")),
    path("rollup/", include("reports.export_urls")),
    path("", include("reports.notification_urls")),
    path("", include("operations.urls")),  # /healthz, /readyz, /metrics/ (token only)
]

handler404 = "projects.api.errors.not_found"  # JSON for unknown URLs under /api/
