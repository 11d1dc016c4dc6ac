"""PostgreSQL indexes for the archive's full-text search (French stemming). They index the
very expressions `discussions.search` queries; SQLite has no full-text search of this kind and
gets none (its search is a plain word match)."""

from django.db import migrations

INDEXES = {
    "discussions_post_body_fts": ("discussions_post", "body"),
    "discussions_thread_subject_fts": ("discussions_thread", "subject"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin "
            f"(to_tsvector('french'::regconfig, COALESCE({column}, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("discussions", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
