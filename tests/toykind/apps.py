"""A toy kind of case, defined only in the tests: the proof that a new kind needs a model, a
transition table and its own services, and gets routing, deadlines, requester access, the case file
and the permission matrix from the kernel."""

from django.apps import AppConfig


class ToyKindConfig(AppConfig):
    name = "tests.toykind"
    label = "toykind"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import workflow  # noqa: F401  registers the table with the engine
