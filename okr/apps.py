from django.apps import AppConfig


class OkrConfig(AppConfig):
    name = "okr"
    verbose_name = "OKRs"
