from django.apps import AppConfig


class MeetupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetups"
