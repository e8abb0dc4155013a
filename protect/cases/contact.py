"""Safe contact first: what the requester said about reaching them safely, for every kind's case page.

The safe hours, code word or words never to say (Defender.secure_channels["notes"]), the safest
channel, the region or city and their work are read here, while a case page is being built: the
kernel's CaseViews.render audits that view and names the encrypted fields it decrypted. Call it
only for users who may read the case's confidential content (cases.access.can_see_narrative):
finance never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from protect.defenders.models import Profile
from protect.public.forms import CHANNELS

_CHANNEL_LABELS = dict(CHANNELS)
_PROFILE_LABELS = dict(Profile.choices)


@dataclass(frozen=True)
class SafeContact:
    notes: str  # "When and how is it safe to contact you?" as they wrote it
    preferred: str  # the safest channel, in words
    location: str  # region or city
    work: list[str]  # their profiles, in words


def safe_contact(defender: Any) -> SafeContact:
    channels = defender.secure_channels or {}
    preferred = str(channels.get("preferred") or "")
    return SafeContact(
        notes=str(channels.get("notes") or ""),
        preferred=str(_CHANNEL_LABELS.get(preferred, preferred)),
        location=defender.location or "",
        work=[str(_PROFILE_LABELS.get(code, code)) for code in defender.profile_codes],
    )
