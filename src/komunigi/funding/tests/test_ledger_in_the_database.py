"""The database itself keeps the ledger append-only (migration 0010), past the ORM's guards.

The refusals that SQLite checks only at commit are tested with a real commit
(``transaction=True``); Django's test cases would otherwise roll every change back unchecked.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from komunigi.funding import ledger
from komunigi.funding.models import LedgerLine, LedgerTransaction, TransactionKind

D = Decimal
SQLITE = connection.vendor == "sqlite"
POSTGRESQL = connection.vendor == "postgresql"
only_on_sqlite = pytest.mark.skipif(not SQLITE, reason="SQLite's way of refusing deletes")
only_on_postgresql = pytest.mark.skipif(
    not POSTGRESQL,
    reason="SQLite has no deferred triggers: the zero sum is checked at commit on PostgreSQL only",
)


def payment(amount: str = "120.00") -> LedgerTransaction:
    return ledger.post(
        TransactionKind.PAYMENT_RECEIVED,
        [(ledger.fund(), D(amount)), (ledger.outside(), -D(amount))],
        date=datetime.date(2026, 11, 23),
    )


def execute(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_line(entry: LedgerTransaction, amount: Decimal) -> None:
    execute(
        "INSERT INTO funding_ledgerline (transaction_id, account_id, amount) VALUES (%s, %s, %s)",
        [entry.pk, ledger.fund().pk, amount],
    )


def amounts(entry: LedgerTransaction) -> list[Decimal]:
    return sorted(LedgerLine.objects.filter(transaction=entry).values_list("amount", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "assignment"),
    [
        ("funding_ledgerline", "amount = amount + 1"),
        ("funding_ledgertransaction", "description = 'edited'"),
    ],
)
def test_ledger_row_update_in_sql_is_refused(table: str, assignment: str) -> None:
    entry = payment()

    refused = f"{table} is append-only: UPDATE refused"
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        execute(f"UPDATE {table} SET {assignment}", [])  # noqa: S608

    assert amounts(entry) == [D("-120.00"), D("120.00")]
    assert LedgerTransaction.objects.get(pk=entry.pk).description == ""


@pytest.mark.django_db
def test_ledger_line_queryset_update_is_refused() -> None:
    entry = payment()

    refused = "funding_ledgerline is append-only: UPDATE refused"
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        LedgerLine.objects.filter(transaction=entry).update(amount=D("1.00"))

    assert amounts(entry) == [D("-120.00"), D("120.00")]


# SQLite refuses a lone line's deletion when the transaction commits: outside any transaction
# (autocommit), when the statement ends.
REFUSED_DELETE = (
    "FOREIGN KEY constraint failed"
    if SQLITE
    else r"funding_ledger(line|transaction) is append-only: DELETE refused"
)


@pytest.mark.django_db(transaction=True)
def test_ledger_line_delete_in_sql_is_refused() -> None:
    entry = payment()
    line = entry.lines.earliest("pk")

    with pytest.raises(IntegrityError, match=REFUSED_DELETE), transaction.atomic():
        execute("DELETE FROM funding_ledgerline WHERE id = %s", [line.pk])
    with pytest.raises(IntegrityError, match=REFUSED_DELETE):
        execute("DELETE FROM funding_ledgerline WHERE id = %s", [line.pk])  # autocommit

    assert amounts(entry) == [D("-120.00"), D("120.00")]


@pytest.mark.django_db(transaction=True)
def test_ledger_line_queryset_delete_is_refused() -> None:
    entry = payment()

    with pytest.raises(IntegrityError, match=REFUSED_DELETE), transaction.atomic():
        LedgerLine.objects.filter(pk=entry.lines.earliest("pk").pk).delete()

    assert amounts(entry) == [D("-120.00"), D("120.00")]


@pytest.mark.django_db(transaction=True)
def test_ledger_transaction_delete_in_sql_is_refused_while_its_lines_stand() -> None:
    entry = payment()

    with pytest.raises(IntegrityError, match=REFUSED_DELETE), transaction.atomic():
        execute("DELETE FROM funding_ledgertransaction WHERE id = %s", [entry.pk])

    assert LedgerTransaction.objects.filter(pk=entry.pk).exists()
    assert amounts(entry) == [D("-120.00"), D("120.00")]


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_ledger() -> None:
    """The test runner empties the database between transactional and live-server tests:
    PostgreSQL's TRUNCATE fires no row trigger, SQLite deletes whole transactions."""
    payment()
    payment("30.00")

    call_command("flush", interactive=False, verbosity=0)

    assert LedgerLine.objects.count() == 0
    assert LedgerTransaction.objects.count() == 0


@only_on_sqlite
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "tables",
    [
        ("funding_ledgerline", "funding_ledgertransaction"),
        ("funding_ledgertransaction", "funding_ledgerline"),
    ],
)
def test_sqlite_deletes_a_transaction_together_with_all_its_lines(tables: tuple[str, str]) -> None:
    """Django's flush deletes table after table in no fixed order: both orders commit."""
    entry, kept = payment(), payment("30.00")

    with transaction.atomic():
        for table in tables:
            column = "transaction_id" if table == "funding_ledgerline" else "id"
            execute(f"DELETE FROM {table} WHERE {column} = %s", [entry.pk])  # noqa: S608

    assert not LedgerTransaction.objects.filter(pk=entry.pk).exists()
    assert amounts(entry) == []
    assert amounts(kept) == [D("-30.00"), D("30.00")]


@only_on_sqlite
@pytest.mark.django_db(transaction=True)
def test_sqlite_refuses_every_delete_with_foreign_keys_off() -> None:
    entry = payment()
    execute("PRAGMA foreign_keys = OFF", [])  # as the sqlite3 shell starts
    try:
        for sql in (
            "DELETE FROM funding_ledgerline WHERE transaction_id = %s",
            "DELETE FROM funding_ledgertransaction WHERE id = %s",
        ):
            with pytest.raises(IntegrityError, match="DELETE refused with foreign keys off"):
                execute(sql, [entry.pk])
    finally:
        execute("PRAGMA foreign_keys = ON", [])

    assert amounts(entry) == [D("-120.00"), D("120.00")]


@only_on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_commit_unbalanced_lines() -> None:
    entry = payment()

    def add_lines() -> None:
        with transaction.atomic():
            insert_line(entry, D("5.00"))
            insert_line(entry, D("-2.00"))
            # Accepted until the commit: the lines of one transaction come one by one.
            assert LedgerLine.objects.filter(transaction=entry).count() == 4

    with pytest.raises(
        IntegrityError, match=f"the lines of ledger transaction {entry.pk} sum to 3.00, not zero"
    ):
        add_lines()

    assert amounts(entry) == [D("-120.00"), D("120.00")]


@only_on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_commits_lines_that_balance_once_all_are_in() -> None:
    entry = payment()

    with transaction.atomic():
        for amount in (D("5.00"), D("-2.00"), D("-3.00")):
            insert_line(entry, amount)

    assert amounts(entry) == [D("-120.00"), D("-3.00"), D("-2.00"), D("5.00"), D("120.00")]
