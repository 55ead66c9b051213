"""The product's sign-in page (also the admin's), logout that ends the provider's session, and landing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .methods import ldap_enabled, oidc_enabled
from .oidc import provider_logout_url
from .roles import DIRECTORS, PROJECT_OWNERS


class LoginView(auth_views.LoginView):
    """Says what the product is and shows each configured way in: the form, and the provider's button."""

    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            ldap_enabled=ldap_enabled(),
            oidc_enabled=oidc_enabled(),
            provider_name=settings.OIDC_PROVIDER_NAME or _("your company account"),
            oidc_failed=self.request.GET.get("failed") == "oidc",
        )
        return context


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out here, then at the OpenID Connect provider when the user came from it and it can."""
    id_token = request.session.get("oidc_id_token")
    back = resolve_url(settings.LOGOUT_REDIRECT_URL)
    at_provider = provider_logout_url(request, id_token, back)
    logout(request)
    return HttpResponseRedirect(at_provider or back)


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Each role's own page after signing in: directors read the rollup, owners update their projects."""
    user = request.user
    roles = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        return redirect("admin:index")
    if DIRECTORS in roles:
        return redirect("reports:rollup-current")
    if PROJECT_OWNERS in roles:
        return redirect("admin:projects_project_changelist")
    return redirect("reports:rollup-current")
