"""Alerts' public pages: a random public slug for every alert (existing rows get their own), the
consent to tell the facts on the public page, reviewed translations of updates, follow-up reminders."""

import alerts.models
import django.db.models.deletion
import protect.crypto.fields
import uuid
from django.conf import settings
from django.db import migrations, models


def give_each_alert_a_slug(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    taken = set()
    for alert in Alert.objects.filter(public_slug__isnull=True).only("pk").iterator():
        slug = alerts.models.new_public_slug()
        while slug in taken:
            slug = alerts.models.new_public_slug()
        taken.add(slug)
        Alert.objects.filter(pk=alert.pk).update(public_slug=slug)


class Migration(migrations.Migration):

    dependencies = [
        ('alerts', '0002_link_to_relocation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # A callable default is evaluated once for the existing rows: add the column empty, give each
        # row a slug of its own, then make it unique and required.
        migrations.AddField(
            model_name='alert',
            name='public_slug',
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(give_each_alert_a_slug, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='alert',
            name='public_slug',
            field=models.CharField(default=alerts.models.new_public_slug, editable=False, max_length=16, unique=True),
        ),
        migrations.AddField(
            model_name='alertconsent',
            name='public_facts_allowed',
            field=models.BooleanField(default=False, help_text='The facts may be told on the public page.'),
        ),
        migrations.CreateModel(
            name='AlertFollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('quiet_since', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('alert', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='alerts.alert')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('alert', 'quiet_since'), name='one_follow_up_per_quiet_period')],
            },
        ),
        migrations.CreateModel(
            name='AlertUpdateTranslation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('crypto_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('language', models.CharField(choices=[('ar', 'العربية'), ('en', 'English'), ('es', 'Español'), ('fr', 'Français'), ('ru', 'Русский')], max_length=5)),
                ('news', protect.crypto.fields.EncryptedTextField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('update', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='translations', to='alerts.alertupdate')),
                ('written_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('update', 'language'), name='one_update_translation_per_language'), models.CheckConstraint(condition=models.Q(('reviewed_by__isnull', True), models.Q(('reviewed_by', models.F('written_by')), _negated=True), _connector='OR'), name='update_translation_reviewed_by_another')],
            },
        ),
    ]
