from django.urls import path

from okr.views import dashboard

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
]
