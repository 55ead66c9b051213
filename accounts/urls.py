"""Sign-in pages, mounted at /accounts/ (namespace ``accounts``)."""

from django.urls import path

from . import oidc, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("landing/", views.landing, name="landing"),
    path("oidc/authenticate/", oidc.ProviderLoginView.as_view(), name="oidc-login"),
    path("oidc/callback/", oidc.ProviderCallbackView.as_view(), name="oidc-callback"),
]
