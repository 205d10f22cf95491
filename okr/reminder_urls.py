"""``/reminders/``: the one-click unsubscribe link of the check-in reminder e-mails."""

from django.urls import path

from okr.views import reminders

app_name = "reminders"

urlpatterns = [
    path("unsubscribe/<str:token>/", reminders.unsubscribe, name="unsubscribe"),
]
