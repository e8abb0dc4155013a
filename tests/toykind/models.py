"""The toy kind: a Case subclass, its attached rows in a line each, and its permission tables."""

from collections.abc import Mapping

from django.db import models
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from protect.cases.models import Case, CaseEscalation, CaseFile, CaseMessage, CaseNote, case_indexes, reference_field
from protect.crypto.fields import EncryptedTextField

OPEN = ["submitted", "open"]


class Toy(Case):
    kind = "toy"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        OPEN = "open", "Open"

    reference = reference_field("T-")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    story = EncryptedTextField(blank=True)

    class Meta:
        indexes = case_indexes("toy", OPEN)

    def get_absolute_url(self) -> str:
        return reverse("toykind:case", args=[self.reference])

    @classmethod
    def sla_hours(cls) -> Mapping[str, float]:
        return {"critical": 1, "high": 10, "normal": 100}


class ToyNote(CaseNote):
    case = models.ForeignKey(Toy, on_delete=models.CASCADE, related_name="notes")


class ToyMessage(CaseMessage):
    case = models.ForeignKey(Toy, on_delete=models.CASCADE, related_name="messages")


class ToyFile(CaseFile):
    case = models.ForeignKey(Toy, on_delete=models.CASCADE, related_name="files")


class ToyEscalation(CaseEscalation):
    case = models.ForeignKey(Toy, on_delete=models.CASCADE, related_name="escalations")


class ToyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Toy, on_delete=models.CASCADE)


class ToyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Toy, on_delete=models.CASCADE)
