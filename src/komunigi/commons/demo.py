"""The demo's catalogue: manifests written for the demo on 9.0, 12.0 and 16.0 (the deck's
co-financed work: shifts, cooperator shares, product labels, the point of sale, reminders),
which supermarkets run them, and the funded needs that produced them."""

from pathlib import Path

from django.db import transaction

from komunigi.commons import importer
from komunigi.commons.models import Installation, Module, ModuleList, ModuleVersion, NeedModule
from komunigi.community.models import Organisation
from komunigi.needs.models import Need

DEMO_ADDONS = Path(__file__).parent / "demo_addons"
REPOSITORY = "https://github.com/beescoop/Obeesdoo"
MIGRATED = ("beesdoo_base", "beesdoo_shift", "beesdoo_pos", "beesdoo_product_label")
# Who runs what on 12.0: the six of the 9 → 12 migration, and what they co-financed since.
RUN_ON_12 = {
    "bees-coop": (*MIGRATED, "beesdoo_shift_email_reminder", "cooperator_shares"),
    "bloum": (*MIGRATED, "beesdoo_shift_email_reminder"),
    "babl-market": MIGRATED,
    "coopeco": (*MIGRATED, "beesdoo_shift_email_reminder"),
    "oufticoop": (*MIGRATED, "cooperator_shares"),
    "vervicoop": (*MIGRATED, "beesdoo_shift_email_reminder"),
}
RUN_ON_9 = {"la-feve": ("beesdoo_base", "beesdoo_shift")}  # not migrated yet
HIDDEN = ("babl-market",)  # keeps its list to its own people
# The needs behind the modules: (need's title, modules, produced them)
NEED_MODULES = [
    ("Migration d'Odoo 9 à Odoo 12", MIGRATED, True),
    ("Améliorer les e-mails de rappel avant les shifts", ("beesdoo_shift_email_reminder",), True),
    (
        "Formulaire de prise de part : case à cocher et texte configurables",
        ("cooperator_shares",),
        True,
    ),
    ("Générer les étiquettes d'articles dans Odoo", ("beesdoo_product_label",), False),
]


def load_demo_modules() -> None:
    if not ModuleVersion.objects.exists():
        for series_tree in sorted(DEMO_ADDONS.iterdir()):
            importer.import_tree(series_tree, repository=f"{REPOSITORY}#{series_tree.name}")
    if not Installation.objects.exists():
        _load_installations()


def _load_installations() -> None:
    modules = {m.technical_name: m for m in Module.objects.all()}
    organisations = {o.slug: o for o in Organisation.objects.all()}
    with transaction.atomic():
        for series, lists in (("12.0", RUN_ON_12), ("9.0", RUN_ON_9)):
            Installation.objects.bulk_create(
                Installation(organisation=organisations[slug], module=modules[name], series=series)
                for slug, names in lists.items()
                if slug in organisations
                for name in names
            )
        for slug in HIDDEN:
            if slug in organisations:
                ModuleList.objects.get_or_create(organisation=organisations[slug], hidden=True)
        for title, names, produced in NEED_MODULES:
            for need in Need.objects.filter(title=title):
                NeedModule.objects.bulk_create(
                    NeedModule(need=need, module=modules[name], produced=produced) for name in names
                )
