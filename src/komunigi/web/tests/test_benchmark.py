import pytest

from komunigi.community.models import Organisation
from komunigi.funding import ledger
from komunigi.funding.models import Campaign, LedgerTransaction
from komunigi.web.benchmark import data, engines, pages

pytestmark = pytest.mark.django_db


def test_benchmark_fills_every_table_and_measures_every_page() -> None:
    """Not a timing test: it keeps the shipped benchmark runnable as pages change, and its
    data consistent (the ledger sums to zero, each transaction too)."""
    data.populate(scale=2)
    assert Organisation.objects.count() == 2 * len(data.ORGANISATIONS)
    assert ledger.total_of_all_lines() == 0
    for entry in LedgerTransaction.objects.prefetch_related("lines"):
        assert sum(line.amount for line in entry.lines.all()) == 0
    collecting = Campaign.objects.filter(status="collecting").order_by("-pk").first()
    assert collecting.pledges.count() == 2 * 10  # every supermarket of the two copies pledges

    lines: list[str] = []
    floors, measured = pages.run(repeat=1, report=lines.append)
    assert [m.page.name for m in floors] == ["floor (empty view)", "floor (50 rows)"]
    assert [m.page.name for m in measured] == [p.name for p in pages.pages()]
    assert {"campaign collecting", "meeting (past)", "need"} <= {m.page.name for m in measured}
    assert len(lines) == 1 + len(floors) + len(measured)
    timed = engines.run(repeat=1, report=lines.append)
    assert len(timed) == 4


def test_no_page_has_a_looser_budget_without_its_reason() -> None:
    data.populate(scale=1)
    for page in pages.pages():
        default = pages.PAGE_BUDGET if page.against == "floor50" else pages.TRIVIAL_BUDGET
        if page.budget > default:
            assert page.reason, page.name
