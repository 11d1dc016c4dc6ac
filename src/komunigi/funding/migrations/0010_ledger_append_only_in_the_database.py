"""The ledger is append-only in the database too, not only in ``AppendOnly.save``/``delete``:
a queryset's ``update()`` or ``delete()``, or SQL typed into a database shell, went past those.

PostgreSQL
    Row triggers refuse every UPDATE and DELETE of a ledger transaction or line. A constraint
    trigger, DEFERRABLE INITIALLY DEFERRED, refuses to commit a database transaction that
    leaves the lines of a ledger transaction summing to anything but zero: lines are written
    one by one, so the sum is checked once all of them are in, at commit (or at ``SET
    CONSTRAINTS ALL IMMEDIATE``, which Django's test cases run at the end of every test).

    The sum is checked once per ledger transaction, not once per line: a statement trigger
    notes each ledger transaction that received lines in ``funding_ledger_unchecked`` (one row,
    whatever the number of lines), and the constraint trigger on that table checks it and
    removes the note. A funded campaign's transaction has a line per supermarket, and a check
    per line costs the square of that: measured at commit, 0.2 s for 1 000 lines and 5 s for
    5 000, against 16 ms and 78 ms this way.

    TRUNCATE fires no row trigger: Django's ``flush`` (the test runner's, between
    transactional and live-server tests) empties the tables that way, and so can an
    administrator who means to.

SQLite
    UPDATE is refused by triggers, as on PostgreSQL. SQLite has no deferred triggers, so the
    zero sum is not checked there (``ledger.post`` checks it in Python on both databases), and
    DELETE cannot simply be refused either: Django's ``flush`` empties SQLite tables with
    ``DELETE FROM``, one table after the other in no fixed order, and a trigger refusing to
    delete a line while its transaction stands (or the transaction while its lines stand)
    would fail whichever table came first. What SQLite can check at commit is a foreign key
    declared DEFERRABLE INITIALLY DEFERRED, so the rule is written as one:

    - every deleted line is recorded in ``funding_ledgerline_deleted``, whose
      ``transaction_id`` must name a row of ``funding_ledgertransaction_deleted``;
    - every deleted transaction is recorded in ``funding_ledgertransaction_deleted``;
    - a transaction cannot be deleted while lines point to it (their own foreign key).

    So a line can be deleted only together with its whole transaction, in one database
    transaction, whatever the order: the ledger that remains still balances, and emptying the
    database still works. A single line deleted alone fails at commit (at once outside a
    transaction) with "FOREIGN KEY constraint failed". The two tables keep the ids of what was
    deleted. Foreign keys are checked only when a connection turns them on (Django does, the
    ``sqlite3`` shell does not), so with them off every DELETE is refused at once.

Later migrations: Django rebuilds a SQLite table to alter it, which drops that table's
triggers; on PostgreSQL the triggers refuse a migration's UPDATE of ledger rows. A migration
that alters these tables calls ``drop_triggers`` first and ``create_triggers`` after (import
this module with ``importlib``); the tests in ``funding/tests/test_ledger_in_the_database.py``
fail if the triggers are gone.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = ("funding_ledgertransaction", "funding_ledgerline")

POSTGRESQL = [
    """
    CREATE FUNCTION funding_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            ERRCODE = 'restrict_violation',
            MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
            HINT = 'Correct an entry with a reversing transaction.';
    END;
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION funding_ledger_refuse_change()
        """
        for table in TABLES
    ),
    # The ledger transactions that received lines in the current database transaction and
    # are still to be checked: empty outside a database transaction.
    "CREATE TABLE funding_ledger_unchecked (transaction_id bigint PRIMARY KEY)",
    """
    CREATE FUNCTION funding_ledger_note_unchecked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO funding_ledger_unchecked (transaction_id)
        SELECT DISTINCT transaction_id FROM inserted ON CONFLICT DO NOTHING;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER funding_ledgerline_unchecked AFTER INSERT ON funding_ledgerline
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION funding_ledger_note_unchecked()
    """,
    """
    CREATE FUNCTION funding_ledger_check_balance() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        total numeric;
    BEGIN
        SELECT sum(amount) INTO total FROM funding_ledgerline
        WHERE transaction_id = NEW.transaction_id;
        IF total <> 0 THEN
            RAISE EXCEPTION USING
                ERRCODE = 'check_violation',
                MESSAGE = 'the lines of ledger transaction ' || NEW.transaction_id
                    || ' sum to ' || total || ', not zero';
        END IF;
        DELETE FROM funding_ledger_unchecked WHERE transaction_id = NEW.transaction_id;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE CONSTRAINT TRIGGER funding_ledger_balanced AFTER INSERT ON funding_ledger_unchecked
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funding_ledger_check_balance()
    """,
]

POSTGRESQL_DROP = [
    "DROP TABLE funding_ledger_unchecked",  # with its trigger
    "DROP FUNCTION funding_ledger_check_balance()",
    "DROP TRIGGER funding_ledgerline_unchecked ON funding_ledgerline",
    "DROP FUNCTION funding_ledger_note_unchecked()",
    *(f"DROP TRIGGER {table}_append_only ON {table}" for table in TABLES),
    "DROP FUNCTION funding_ledger_refuse_change()",
]

SQLITE = [
    'CREATE TABLE "funding_ledgertransaction_deleted" ("id" integer NOT NULL PRIMARY KEY)',
    """
    CREATE TABLE "funding_ledgerline_deleted" (
        "line_id" integer NOT NULL,
        "transaction_id" integer NOT NULL
            REFERENCES "funding_ledgertransaction_deleted" ("id") DEFERRABLE INITIALLY DEFERRED
    )
    """,
    *(
        f"""
        CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}"
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END
        """
        for table in TABLES
    ),
    *(
        f"""
        CREATE TRIGGER "{table}_no_unchecked_delete" BEFORE DELETE ON "{table}"
        WHEN NOT (SELECT "foreign_keys" FROM pragma_foreign_keys)
        BEGIN
            SELECT RAISE(ABORT, '{table} is append-only: DELETE refused with foreign keys off');
        END
        """
        for table in TABLES
    ),
    """
    CREATE TRIGGER "funding_ledgerline_record_delete" AFTER DELETE ON "funding_ledgerline"
    BEGIN
        INSERT INTO "funding_ledgerline_deleted" ("line_id", "transaction_id")
        VALUES (OLD."id", OLD."transaction_id");
    END
    """,
    """
    CREATE TRIGGER "funding_ledgertransaction_record_delete"
    AFTER DELETE ON "funding_ledgertransaction"
    BEGIN
        INSERT OR IGNORE INTO "funding_ledgertransaction_deleted" ("id") VALUES (OLD."id");
    END
    """,
]

SQLITE_DROP = [
    *(
        f'DROP TRIGGER "{table}_{name}"'
        for table in TABLES
        for name in ("no_update", "no_unchecked_delete", "record_delete")
    ),
    'DROP TABLE "funding_ledgerline_deleted"',
    'DROP TABLE "funding_ledgertransaction_deleted"',
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    # Only the two databases Komunigi supports; params=None: the SQL is sent as it is.
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [("funding", "0009_maintenance_newcomers")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
