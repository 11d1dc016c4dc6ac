from django.db import migrations, models
from django.db.models import F


def received_as_posted(apps, schema_editor):
    """Posts that came by e-mail so far were stored under the Message-ID they came with."""
    Post = apps.get_model("discussions", "Post")
    Post.objects.filter(source="email").update(received_message_id=F("message_id"))


class Migration(migrations.Migration):
    dependencies = [("discussions", "0002_full_text_indexes")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="received_message_id",
            field=models.CharField(
                blank=True, db_index=True, max_length=250, verbose_name="Message-ID received"
            ),
        ),
        migrations.RunPython(received_as_posted, migrations.RunPython.noop),
    ]
