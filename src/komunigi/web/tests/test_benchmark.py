import pytest

from komunigi.community.models import Organisation
from komunigi.web import benchmark

pytestmark = pytest.mark.django_db


def test_benchmark_fills_the_database_and_measures_every_page() -> None:
    """Not a timing test: it keeps the shipped benchmark runnable as pages change."""
    benchmark.populate(scale=2)
    assert Organisation.objects.count() == 2 * len(benchmark.ORGANISATIONS)
    lines: list[str] = []
    results = benchmark.run(repeat=1, report=lines.append)
    assert [r.name for r in results] == ["floor (empty view)"] + [n for n, _ in benchmark.pages()]
    assert {"campaign collecting", "meeting (past)"} <= {r.name for r in results}
    assert len(lines) == 1 + len(results)
