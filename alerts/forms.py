"""Forms of the alert desk: drafting, the texts and their translations, the consent and its
checklist, the steps of the table, and the recipients. They parse; the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from protect.accounts.models import User
from protect.accounts.roles import DECIDERS
from protect.cases.forms import text_field
from protect.cases.models import Urgency
from protect.defenders.models import ConsentMethod

from .models import Alert, Recipient, Tier


class TextsForm(forms.Form):
    """The four texts of an alert, in one language (its source, or a translation)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    summary = text_field(_("Summary"), rows=3, max_length=5_000)
    facts = text_field(_("Facts"), rows=5)
    requested_actions = text_field(_("Requested actions"), rows=3, max_length=5_000)


class DraftForm(TextsForm):
    intake_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    defender_reference = forms.CharField(label=_("Defender reference"), max_length=40,
                                         help_text=_("The defender the alert is about (you must be able to see them)."))
    language = forms.ChoiceField(label=_("Source language"), choices=settings.LANGUAGES, initial="en")
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.HIGH)
    grant_reference = forms.CharField(label=_("Linked grant (optional)"), max_length=40, required=False)
    relocation_reference = forms.CharField(label=_("Linked relocation (optional)"), max_length=40, required=False)

    field_order = ["defender_reference", "language", "urgency", "title", "summary", "facts", "requested_actions",
                   "grant_reference", "relocation_reference"]


class TranslationForm(TextsForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    field_order = ["language", "title", "summary", "facts", "requested_actions"]


class ReviewTranslationForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES, widget=forms.HiddenInput)


class ConsentForm(forms.Form):
    """The defender's consent to this alert, as they gave it, and the checklist answered with it."""

    method = forms.ChoiceField(label=_("How the consent was given"), choices=ConsentMethod.choices)
    may_name = forms.TypedChoiceField(
        label=_("The defender may be"), coerce=lambda value: value == "named", widget=forms.RadioSelect,
        choices=[("described", _("described only")), ("named", _("named"))], initial="described")
    photo_allowed = forms.BooleanField(label=_("A photo may be used"), required=False)
    facts_allowed = text_field(_("Which facts may be told"), rows=3, max_length=5_000)
    tiers = forms.MultipleChoiceField(label=_("Recipient tiers it may go to"), choices=Tier.choices,
                                      widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(label=_("Languages it may be told in"), choices=settings.LANGUAGES,
                                          widget=forms.CheckboxSelectMultiple, required=False)
    public_page_allowed = forms.BooleanField(label=_("A public page is allowed"), required=False)
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    naming_is_a_risk = forms.BooleanField(label=_("Naming the defender is a risk"), required=False)
    information_verified = forms.BooleanField(label=_("The information is verified"), required=False)
    response_plan = forms.BooleanField(label=_("There is a response plan"), required=False)
    benefits_outweigh_risks = forms.BooleanField(label=_("The benefits outweigh the risks"), required=False)


class SubmitForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=User.objects.filter(
        is_active=True, groups__name__in=sorted(DECIDERS)).distinct().order_by("username"))


class PublishForm(forms.Form):
    tiers = forms.MultipleChoiceField(label=_("Send to"), choices=Tier.choices, widget=forms.CheckboxSelectMultiple)


class UpdateForm(forms.Form):
    news = text_field(_("What is new (in the source language)"), rows=3)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Alert.Outcome.choices)


# --- recipients ---------------------------------------------------------------------------------


class RecipientForm(forms.Form):
    intake_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), choices=Recipient.Channel.choices, widget=forms.RadioSelect,
                                initial=Recipient.Channel.EMAIL)
    address = forms.CharField(label=_("Address"), max_length=500,
                              help_text=_("An e-mail address, or the https URL of a web hook."))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    secret = forms.CharField(label=_("Web hook secret (optional)"), max_length=200, required=False,
                             help_text=_("Leave empty to have one made: it is shown once."))


class RecipientEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=500)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)

    @classmethod
    def for_recipient(cls, recipient: Recipient) -> RecipientEditForm:
        address = recipient.endpoint.url if recipient.endpoint is not None else recipient.email
        return cls(initial={"name": recipient.name, "address": address, "language": recipient.language,
                            "tier": recipient.tier})
