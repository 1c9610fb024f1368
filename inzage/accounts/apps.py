from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "inzage.accounts"
    verbose_name = "Accounts"
