from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import switcher

        switcher.connect()  # the top bar's cached lists forget changed memberships
