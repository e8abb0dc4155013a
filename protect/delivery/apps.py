"""The one way anything leaves: e-mail and signed web hooks, one row per delivery."""

from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "protect.delivery"
    label = "delivery"
    default_auto_field = "django.db.models.BigAutoField"
