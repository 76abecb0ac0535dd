from django.apps import AppConfig


class LicencesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tongban.licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from tongban.licences import remote_uses  # noqa: F401  (case numbers in use logs)
