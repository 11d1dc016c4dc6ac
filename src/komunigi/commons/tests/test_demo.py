"""The demo's commons: who runs what, the funders of the modules, a 12.0 → 16.0 plan."""

import pytest
from django.core.management import call_command
from django.test import Client

from komunigi.commons.models import Installation

pytestmark = pytest.mark.django_db


def test_the_demo_shows_funders_and_plans_the_next_migration() -> None:
    call_command("demo", "--no-serve")
    call_command("demo", "--no-serve")  # loaded once
    assert Installation.objects.filter(organisation__slug="bees-coop", series="12.0").count() == 6
    shift = Client().get("/en/commons/beesdoo_shift/")
    [migration] = shift.context["funders"]
    assert migration["need"].title == "Migration d'Odoo 9 à Odoo 12"
    assert migration["produced"]
    [(campaign, payers)] = migration["campaigns"]
    assert payers.count == 6
    assert campaign.closed_at.year == 2021
    assert "Co-financed in 2021 by 6 organisations" in shift.content.decode()
    # babl-market keeps its list to itself: counted, not named.
    assert shift.context["private_runners"] == 1
    plan = Client().get("/en/commons/migration/", {"source": "12.0", "target": "16.0"})
    missing = plan.context["plan"].missing
    assert [(p.step, p.module.technical_name) for p in missing] == [
        (1, "beesdoo_pos"),
        (2, "beesdoo_shift_email_reminder"),
    ]
    assert missing[1].supermarkets == 4
