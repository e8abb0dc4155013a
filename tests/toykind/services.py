"""The toy's one use case of its own: a request arrives."""

from typing import Any

from protect.cases.models import Channel
from protect.cases.services.intake import RequesterSecrets, case_register

from .models import Toy


def toy_submit(*, defender: Any, story: str, urgency: str = "normal") -> tuple[Toy, RequesterSecrets | None]:
    toy = Toy(defender=defender, channel=Channel.PUBLIC_FORM, urgency=urgency, story=story)
    secrets = case_register(case=toy)
    return toy, secrets
