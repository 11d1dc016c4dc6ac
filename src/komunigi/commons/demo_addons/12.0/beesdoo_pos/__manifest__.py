# Copyright BEES coop, Coop IT Easy - written for the Komunigi demo
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Point of sale for cooperators",
    "summary": "Point of sale for cooperators, as the cooperative supermarkets of the community run it",
    "version": "12.0.1.1.0",
    "license": "AGPL-3",
    "author": "BEES coop, Coop IT Easy SC",
    "maintainers": ["coopiteasy"],
    "website": "https://github.com/beescoop/Obeesdoo",
    "category": "Point of Sale",
    "depends": ["point_of_sale", "beesdoo_base", "beesdoo_product_label"],
    "installable": True,
}
