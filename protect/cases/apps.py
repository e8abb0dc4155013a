"""The case kernel app: finds every concrete Case through the app registry."""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "protect.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from protect.accounts.services import team_member_removed
        from protect.audit.phrases import register_phrases
        from protect.audit.targets import register_reference_finder, register_target_namer
        from protect.workflow import on_leaving

        from .access import case_revoke_personal_access, on_team_member_removed
        from .registry import audit_phrases, audit_reference_finder, audit_target_namers

        register_phrases(audit_phrases())
        for target_type, namer in audit_target_namers().items():
            register_target_namer(target_type, namer)
        register_reference_finder(audit_reference_finder)
        # Personal access ends with its reason, for every kind (protect/cases/access.py).
        on_leaving("open", case_revoke_personal_access)
        team_member_removed.connect(on_team_member_removed, dispatch_uid="cases.team_member_removed")
