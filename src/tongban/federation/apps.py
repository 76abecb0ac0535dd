from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "tongban.federation"
    label = "federation"
    verbose_name = "节点互通"
