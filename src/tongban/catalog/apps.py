from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tongban.catalog"
    label = "catalog"
    verbose_name = "事项目录"

    def ready(self) -> None:
        # Registers the PostgreSQL UTF-8 system check.
        from tongban.catalog import checks  # noqa: F401
