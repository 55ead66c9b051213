from django.urls import path

from . import notification_views

app_name = "notifications"

urlpatterns = [
    path("me/notifications/", notification_views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", notification_views.unsubscribe, name="unsubscribe"),
]
