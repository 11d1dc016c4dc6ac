"""Schemathesis against the live test server: every operation of the OpenAPI document, each
with a bounded number of generated requests, under Schemathesis's checks, anonymously and with
a personal token. The document must say exactly what the API answers."""

import datetime
from decimal import Decimal

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from pytest_django.live_server_helper import LiveServer
from schemathesis.specs.openapi.checks import positive_data_acceptance

from komunigi.commons.models import Installation, Module, ModuleVersion, Repository
from komunigi.commons.tests.test_migration import version
from komunigi.community.models import Organisation, OrganisationKind, User
from komunigi.community.services import create_api_token
from komunigi.funding.models import MaintainedModule, MaintenancePlan
from komunigi.needs.tests.factories import QuoteFactory
from komunigi.web.demo import load_demo

pytestmark = pytest.mark.django_db(transaction=True)

# Rules JSON Schema cannot say, which these operations refuse with a 422 naming the problem: a
# ballot ranking someone who is not a candidate, twice the same participant, contributions
# above the cost, an amount the pledge form refuses in the caller's own words. Every other
# check applies to them too.
EXAMPLES = 8  # per operation and caller: the three callers stay within a minute
REPRESENTATIVE = "claire.dubois@bees-coop.example"  # of BEES coop, in the demo community
FACILITATOR = "facilitation@komunigi.example"
CROSS_FIELD = {
    ("POST", "/api/v1/tally/schulze"),
    ("POST", "/api/v1/funding/simulate"),
    ("POST", "/api/v1/priority-rounds/{round_id}/ballot"),
    ("POST", "/api/v1/campaigns/{campaign_id}/pledge"),
}


@pytest.fixture
def api_schema(live_server: LiveServer) -> schemathesis.BaseSchema:
    """The demo community, so that the answers hold rows of every kind to check (campaigns
    collecting and funded, rounds, the ledger, fees, lists, the newsletter, modules), and a
    module version read from a repository (which once answered 500)."""
    load_demo()
    bees = Organisation.objects.get(slug="bees-coop")
    provider = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).first()
    QuoteFactory(provider=provider)
    version("beesdoo_shift_api", "12.0", ("beesdoo_base_api",))
    shift = Module.objects.get(technical_name="beesdoo_shift_api")
    ModuleVersion.objects.filter(module=shift).update(
        repository=Repository.objects.create(url="https://example.org/r")
    )
    Installation.objects.create(organisation=bees, module=shift, series="12.0")
    plan = MaintenancePlan.objects.create(
        title="Upkeep", provider=provider, series="12.0", starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31), deadline=timezone.now(), included="Fixes",
    )  # fmt: skip
    MaintainedModule.objects.create(plan=plan, module=shift, cost=Decimal("100.00"))
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")


def excluded(case: schemathesis.Case) -> list:
    return [positive_data_acceptance] if (case.method, case.path) in CROSS_FIELD else []


def check_every_operation(api_schema: schemathesis.BaseSchema, headers: dict[str, str]) -> int:
    """Run each operation's generated requests under every check; returns how many ran."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=excluded(case))

        answers_as_documented()
    return len(operations)


def token_of(email: str) -> dict[str, str]:
    _token, raw = create_api_token(User.objects.get(email=email), name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


def test_every_operation_answers_as_documented_to_each_caller(api_schema) -> None:
    """Anonymously, with a representative's token and with a facilitator's: one test, so that
    the demo community loads once for the three (it takes longer than a caller's requests)."""
    for caller, headers in [
        ("anonymous", {}),
        ("representative", token_of(REPRESENTATIVE)),
        ("facilitator", token_of(FACILITATOR)),
    ]:
        try:
            assert check_every_operation(api_schema, headers) >= 40
        except Exception as failure:
            failure.add_note(f"called {caller}")
            raise
