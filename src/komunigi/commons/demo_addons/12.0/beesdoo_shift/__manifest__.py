# Copyright BEES coop, Coop IT Easy - written for the Komunigi demo
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Shift management",
    "summary": "Shift management, as the cooperative supermarkets of the community run it",
    "version": "12.0.1.3.0",
    "license": "AGPL-3",
    "author": "BEES coop, Coop IT Easy SC",
    "maintainers": ["coopiteasy"],
    "website": "https://github.com/beescoop/Obeesdoo",
    "category": "Cooperative management",
    "depends": ["mail", "resource", "beesdoo_base"],
    "installable": True,
}
