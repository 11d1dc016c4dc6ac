# Copyright BEES coop, Coop IT Easy - written for the Komunigi demo
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Product labels",
    "summary": "Product labels, as the cooperative supermarkets of the community run it",
    "version": "9.0.1.1.0",
    "license": "AGPL-3",
    "author": "BEES coop, Coop IT Easy SC",
    "maintainers": ["coopiteasy"],
    "website": "https://github.com/beescoop/Obeesdoo",
    "category": "Point of Sale",
    "depends": ["product", "stock", "beesdoo_base"],
    "installable": True,
}
