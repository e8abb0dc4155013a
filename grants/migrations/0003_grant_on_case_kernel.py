"""Grants rebuilt on the case kernel (protect.cases): the rows attached to a grant point to it
through a foreign key named `case`, as on every kind of case."""

import functools

from django.db import migrations, models

import protect.cases.models


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0002_queue_indexes'),
    ]

    operations = [
        migrations.RenameField(model_name='message', old_name='grant', new_name='case'),
        migrations.RenameField(model_name='note', old_name='grant', new_name='case'),
        migrations.RenameField(model_name='grantfile', old_name='grant', new_name='case'),
        migrations.RemoveConstraint(model_name='escalation', name='one_escalation_per_threshold'),
        migrations.RenameField(model_name='escalation', old_name='grant', new_name='case'),
        migrations.AddConstraint(
            model_name='escalation',
            constraint=models.UniqueConstraint(fields=('case', 'threshold'), name='grants_escalation_once_per_threshold'),
        ),
        migrations.AlterField(
            model_name='grant',
            name='reference',
            field=models.CharField(default=functools.partial(protect.cases.models.new_reference, 'G-'), editable=False,
                                   max_length=12, unique=True),
        ),
    ]
