# Copyright BEES coop, Coop IT Easy - written for the Komunigi demo
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Cooperators and their shares (base)",
    "summary": "Cooperators and their shares (base), as the cooperative supermarkets of the community run it",
    "version": "9.0.1.2.0",
    "license": "AGPL-3",
    "author": "BEES coop, Coop IT Easy SC",
    "maintainers": ["coopiteasy"],
    "website": "https://github.com/beescoop/Obeesdoo",
    "category": "Cooperator management",
    "depends": ["contacts", "mail"],
    "installable": True,
}
