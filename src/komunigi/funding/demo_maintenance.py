"""The demo's maintenance pool: Coop IT Easy's 2026 upkeep of the 12.0 modules the demo
supermarkets run, most of them committed, one module opted out. Loaded after the catalogue
(who runs what); loaded once."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from komunigi.commons.models import Module
from komunigi.community.demo import FACILITATOR
from komunigi.community.models import Organisation, User
from komunigi.funding.models import MaintenancePlan
from komunigi.funding.services import maintenance

TITLE = "Maintenance 2026 des modules 12.0"
COSTS = {
    "beesdoo_base": "1200.00",
    "beesdoo_shift": "2400.00",
    "beesdoo_pos": "1800.00",
    "beesdoo_product_label": "900.00",
    "beesdoo_shift_email_reminder": "600.00",
    "cooperator_shares": "1500.00",
}
INCLUDED = (
    "- correctifs de sécurité et de bugs sous 5 jours ouvrés\n"
    "- mises à jour mineures d'Odoo 12.0 et intégration continue\n"
    "- réponses aux questions difficiles de la liste d'entraide"
)
EXCLUDED = "Nouvelles fonctionnalités et migration vers une autre version d'Odoo."
# (supermarket, cap): most commit; babl-market waits for its board.
COMMITTING = [("bees-coop", None), ("bloum", None), ("coopeco", Decimal("2500.00")),
              ("oufticoop", None), ("vervicoop", None)]  # fmt: skip
BOARD_PENDING = ["babl-market"]
OPT_OUT = ("vervicoop", "beesdoo_shift_email_reminder")  # no longer wants it maintained


def load_demo_maintenance() -> None:
    if MaintenancePlan.objects.filter(title=TITLE).exists():
        return
    facilitator = User.objects.get(email=FACILITATOR[1])
    organisations = {o.slug: o for o in Organisation.objects.all()}
    modules = {m.technical_name: m for m in Module.objects.filter(technical_name__in=COSTS)}
    with transaction.atomic():
        plan = maintenance.open_plan(
            actor=facilitator,
            title=TITLE,
            provider=organisations["coop-it-easy"],
            series="12.0",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
            deadline=timezone.now() + datetime.timedelta(days=21),
            included=INCLUDED,
            excluded=EXCLUDED,
            costs={modules[name]: Decimal(cost) for name, cost in COSTS.items()},
            overhead_rate=Decimal("0.05"),
        )
        for slug, module in [OPT_OUT]:
            maintenance.opt_out(
                plan, organisations[slug], modules[module], actor=_voice(slug), back=False
            )
        for slug, cap in COMMITTING:
            maintenance.commit(plan, organisations[slug], actor=_voice(slug), cap=cap)
        for slug in BOARD_PENDING:
            maintenance.commit(
                plan, organisations[slug], actor=_voice(slug), needs_board_approval=True
            )


def _voice(slug: str) -> User:
    found = User.objects.speaking_for(Organisation.objects.filter(slug=slug)).first()
    if found is None:
        raise LookupError(f"the demo's {slug} has no representative")
    return found
