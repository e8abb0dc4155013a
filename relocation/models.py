"""Temporary relocation: host institutions, the relocation (a kind of case), its family members.

A relocation moves a defender (often with family) to a host institution abroad for 3 to 12 months.
Every narrative of the application is encrypted under the defender's data key (protect.crypto), so
erasing the defender shreds it. A host institution is an organisation, not a person at risk: its
public facts (name, city, capacity) stay readable. `status` is written only by relocation/workflow.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from protect.cases.models import Case, CaseEscalation, CaseFile, CaseMessage, CaseNote, case_indexes, reference_field
from protect.cases.money import currency_field, eur_rate_field
from protect.crypto.fields import EncryptedTextField
from protect.crypto.models import DataKey, EncryptedModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Status groups, one name per meaning; the workflow table (relocation/workflow.py) is built on them.
OPEN = ["requested", "assessing", "host_matching", "preparing", "in_residence", "extended"]
AWAITING_DECISION = ["requested", "assessing"]  # the answer deadline runs
CANCELLABLE = ["requested", "assessing", "host_matching", "preparing"]  # before the defender arrives
HOLDS_A_PLACE = ["preparing", "in_residence", "extended"]  # a stay that occupies a host place
IN_STAY = ["in_residence", "extended"]
STAGES = [*OPEN, "ended", "cancelled"]  # the board's columns, in order


class Offer(models.TextChoices):
    HOUSING = "housing", _("Housing")
    STIPEND = "stipend", _("Stipend")
    TRAINING = "training", _("Training")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial care")
    LANGUAGE_COURSES = "language_courses", _("Language courses")


class HostInstitution(models.Model):
    """A university, NGO or city shelter programme that hosts relocated defenders."""

    organisation = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2)
    languages = models.JSONField(default=list)  # language codes spoken there
    places = models.PositiveSmallIntegerField(default=1)  # defenders hosted at the same time
    family_places = models.PositiveSmallIntegerField(default=0)  # family members accompanying one defender
    offers = models.JSONField(default=list)  # Offer codes
    accessibility = models.CharField(max_length=500, blank=True)
    contacts = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="host_institutions")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.city})"


class HostAvailability(models.Model):
    """A window in which a host institution can receive someone."""

    host = models.ForeignKey(HostInstitution, on_delete=models.CASCADE, related_name="availability")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="host_availability_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"availability of host {self.host_id}: {self.starts_on} to {self.ends_on}"


class Relocation(Case):
    kind = "relocation"

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ASSESSING = "assessing", _("Assessing")
        HOST_MATCHING = "host_matching", _("Host matching")
        PREPARING = "preparing", _("Preparing (visa, travel)")
        IN_RESIDENCE = "in_residence", _("In residence")
        EXTENDED = "extended", _("Extended")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    class Applicant(models.TextChoices):
        DEFENDER = "defender", _("The defender")
        THIRD_PARTY = "third_party", _("Someone on the defender's behalf")
        HOST = "host", _("A host organisation")

    reference = reference_field("R-")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    applicant = models.CharField(max_length=20, choices=Applicant.choices, default=Applicant.DEFENDER)

    # The application (free text, encrypted under the defender's key)
    risk = EncryptedTextField(blank=True)
    why_relocation = EncryptedTextField(blank=True)
    preferred_country = EncryptedTextField(blank=True, max_length=200)
    why_country = EncryptedTextField(blank=True)
    visa_plan = EncryptedTextField(blank=True)
    travel_security_plan = EncryptedTextField(blank=True)
    planned_activities = EncryptedTextField(blank=True)
    other_funders = EncryptedTextField(blank=True)
    intended_return_on = models.DateField(null=True, blank=True)
    return_strategy = EncryptedTextField(blank=True)

    # A relocation may start from an emergency grant (never the other way round).
    grant = models.ForeignKey("grants.Grant", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="relocations")

    # The stay
    host = models.ForeignKey(HostInstitution, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="relocations")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    assessment = EncryptedTextField(blank=True)
    cancel_reason = EncryptedTextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [*case_indexes("reloc", OPEN),
                   models.Index(fields=["host", "starts_on", "ends_on"], name="reloc_host_stay")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="relocation_ends_after_start",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("relocation:case", args=[self.reference])

    # One plain sentence per status, as the requester reads it on the status page.
    REQUESTER_SENTENCES: ClassVar[dict[str, StrOrPromise]] = {
        Status.REQUESTED: _("We received your application. A caseworker will look at it soon."),
        Status.ASSESSING: _("We are looking at your application."),
        Status.HOST_MATCHING: _("We are looking for a host for you."),
        Status.PREPARING: _("A host was found; we are preparing the journey with you."),
        Status.IN_RESIDENCE: _("Your stay has started."),
        Status.EXTENDED: _("Your stay was extended."),
        Status.ENDED: _("Your stay has ended."),
        Status.CANCELLED: _("This relocation was cancelled."),
    }

    @classmethod
    def sla_hours(cls) -> Mapping[str, float]:
        return settings.PROTECT_RELOCATION_SLA_HOURS


class FamilyMember(EncryptedModel):
    """A family member who relocates with the defender: an age band and needs (encrypted)."""

    class AgeBand(models.TextChoices):
        CHILD = "0-11", _("Child (under 12)")
        TEEN = "12-17", _("Teenager (12 to 17)")
        ADULT = "18-64", _("Adult (18 to 64)")
        SENIOR = "65+", _("Older person (65 or more)")

    relocation = models.ForeignKey(Relocation, on_delete=models.CASCADE, related_name="family")
    age_band = models.CharField(max_length=10, choices=AgeBand.choices)
    needs = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"family member of relocation {self.relocation_id}"

    def get_data_key(self) -> DataKey:
        return self.relocation.get_data_key()


class RelocationNote(CaseNote):
    case = models.ForeignKey(Relocation, on_delete=models.CASCADE, related_name="notes")


class RelocationMessage(CaseMessage):
    case = models.ForeignKey(Relocation, on_delete=models.CASCADE, related_name="messages")


class RelocationFile(CaseFile):
    case = models.ForeignKey(Relocation, on_delete=models.CASCADE, related_name="files")


class RelocationEscalation(CaseEscalation):
    case = models.ForeignKey(Relocation, on_delete=models.CASCADE, related_name="escalations")


class RelocationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Relocation, on_delete=models.CASCADE)


class RelocationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Relocation, on_delete=models.CASCADE)


def family_size(relocation: Any) -> int:
    """Family members who travel with the defender (the defender not counted)."""
    return int(relocation.family.count())


# --- preparation, budget, stipends, the check-in after return ------------------------------------


class PreparationItem(models.Model):
    """One item of the preparation checklist: when it is due, and when it was done."""

    class Kind(models.TextChoices):
        VISA = "visa", _("Visa or stay permit")
        TRAVEL = "travel", _("Travel booked")
        INSURANCE = "insurance", _("Insurance")
        ARRIVAL_CONTACT = "arrival_contact", _("Arrival contact")

    relocation = models.ForeignKey(Relocation, on_delete=models.CASCADE, related_name="preparation")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["relocation", "kind"]
        constraints = [models.UniqueConstraint(fields=["relocation", "kind"], name="one_preparation_item_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} of relocation {self.relocation_id}"


class PreparationWarning(models.Model):
    """The SLA sweep warned the caseworker that the start nears with items open: one row per
    relocation and threshold, so a warning is sent once however often the sweep runs."""

    relocation = models.ForeignKey(Relocation, on_delete=models.CASCADE, related_name="preparation_warnings")
    days_before = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["relocation", "days_before"],
                                               name="one_preparation_warning_per_threshold")]

    def __str__(self) -> str:
        return f"preparation warning {self.days_before} days before relocation {self.relocation_id}"


class BudgetLine(EncryptedModel):
    """A planned cost. Amounts as for grants: integer minor units in a currency, with the EUR rate
    recorded when the line is written. A stipend line is per person and per month."""

    class Kind(models.TextChoices):
        TRAVEL = "travel", _("Travel")
        VISA = "visa", _("Visa")
        INSURANCE = "insurance", _("Insurance")
        ACCOMMODATION = "accommodation", _("Accommodation")
        STIPEND = "stipend", _("Monthly stipend per person")
        OTHER = "other", _("Other")

    relocation = models.ForeignKey(Relocation, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount_minor = models.PositiveBigIntegerField()
    currency = currency_field()
    eur_rate = eur_rate_field()
    amount_eur_minor = models.PositiveBigIntegerField()
    note = EncryptedTextField(blank=True, max_length=500)  # what an "other" line pays for: may say where
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="budget_line_amount_positive"),
            # Beat reads one stipend per relocation: two would leave it guessing which to pay.
            models.UniqueConstraint(fields=["relocation"], condition=models.Q(kind="stipend"),
                                    name="one_stipend_line_per_relocation"),
        ]

    def __str__(self) -> str:
        return f"budget line {self.pk} ({self.kind}) of relocation {self.relocation_id}"

    def get_data_key(self) -> DataKey:
        return self.relocation.get_data_key()


class StipendInstalment(models.Model):
    """A month's stipend for everyone who relocated (the defender and the family), written by beat
    and confirmed by finance once paid. One per relocation and month, enforced by the database: a
    task run twice, or redelivered after its worker died, finds the month taken."""

    relocation = models.ForeignKey(Relocation, on_delete=models.PROTECT, related_name="stipends")
    month = models.DateField()  # the first day of the month paid for
    people = models.PositiveSmallIntegerField()
    amount_minor = models.PositiveBigIntegerField()
    currency = currency_field()
    eur_rate = eur_rate_field()
    amount_eur_minor = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    paid_on = models.DateField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["month", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["relocation", "month"], name="one_stipend_per_relocation_and_month"),
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="stipend_amount_positive"),
            models.CheckConstraint(condition=models.Q(paid_on__isnull=True) | models.Q(confirmed_by__isnull=False),
                                   name="stipend_paid_means_confirmed"),
        ]
        indexes = [models.Index(fields=["paid_on", "month"], name="stipend_to_confirm")]

    def __str__(self) -> str:
        return f"stipend {self.month:%Y-%m} of relocation {self.relocation_id}"


class FollowUpCheckIn(EncryptedModel):
    """After the return, the caseworker checks on the defender: due a set time after the stay
    ends (PROTECT_RELOCATION_CHECKIN_DAYS), recorded once."""

    class Outcome(models.TextChoices):
        SAFE = "safe", _("Safe, no further need")
        NEEDS_SUPPORT = "needs_support", _("Needs further support")
        NOT_REACHED = "not_reached", _("Could not be reached")

    relocation = models.OneToOneField(Relocation, on_delete=models.CASCADE, related_name="checkin")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["done_on", "due_on"], name="checkin_due")]

    def __str__(self) -> str:
        return f"follow-up check-in of relocation {self.relocation_id}"

    def get_data_key(self) -> DataKey:
        return self.relocation.get_data_key()
