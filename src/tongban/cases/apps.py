from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from tongban.cases import consumers_remote  # noqa: F401  (cases across nodes)
