"""API tokens expire (a year after their creation for those made before) and may only read."""

import datetime

from django.db import migrations, models


def a_year_after_creation(apps, schema_editor):
    ApiToken = apps.get_model("community", "ApiToken")
    for token in ApiToken.objects.all():
        token.expires_at = token.created_at + datetime.timedelta(days=365)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="valid until"),
        ),
        migrations.RunPython(a_year_after_creation, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="valid until"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="read_only",
            field=models.BooleanField(
                default=False,
                help_text="It reads through the API, and changes nothing.",
                verbose_name="read only",
            ),
        ),
    ]
