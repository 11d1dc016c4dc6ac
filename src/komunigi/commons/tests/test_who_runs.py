"""Who runs what: an organisation's list, by search and add or by Odoo's exported list."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from komunigi.audit.models import AuditEvent
from komunigi.commons import installed_csv
from komunigi.commons.models import Installation, Module, ModuleVersion
from komunigi.community.models import Role, User
from komunigi.community.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

EXPORT_EN = (
    '"Technical Name","Module Name","Status"\n'
    '"sale","Sales","Installed"\n'
    '"beesdoo_shift","Shift management","Installed"\n'
    '"beesdoo_pos","POS","Not Installed"\n'
    '"cooperator_shares","Shares","To Upgrade"\n'
    '"somebody_elses","Elsewhere","Installed"\n'
    '"Bad Name!","?","Installed"\n'
)
EXPORT_FR = (
    "Nom technique;Statut\nbeesdoo_shift;Installé\nstock;Installé\nbeesdoo_pos;Non installé\n"
)


def modules(*names: str, series: str = "12.0") -> None:
    for name in names:
        module = Module.objects.create(technical_name=name)
        ModuleVersion.objects.create(module=module, series=series, name=name.title())


def person(role: str, organisation) -> User:
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def bees():
    return OrganisationFactory(name="BEES coop", slug="bees-coop", odoo_series="12.0")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_odoo_exports_in_english_and_french_give_the_installed_modules_only() -> None:
    english = installed_csv.read(EXPORT_EN.encode())
    assert [name for _line, name in english.installed] == [
        "sale", "beesdoo_shift", "cooperator_shares", "somebody_elses"
    ]  # fmt: skip
    assert english.not_installed == 1
    assert english.skipped == [(7, "name")]
    french = installed_csv.read(("\ufeff" + EXPORT_FR).encode())
    assert [name for _line, name in french.installed] == ["beesdoo_shift", "stock"]
    import_compatible = installed_csv.read(b"id,name,state\nbase.module_x,x_mod,installed\n")
    assert import_compatible.installed == [(2, "x_mod")]
    for unreadable, why in (
        (b"name,summary\nx,y\n", "columns"),
        (b"", "empty"),
        ("\xff".encode("latin-1"), "not UTF-8 text"),
    ):
        with pytest.raises(installed_csv.UnreadableList, match=why):
            installed_csv.read(unreadable)


def test_a_representative_uploads_the_export_and_it_becomes_the_list_of_that_series(
    bees,
) -> None:
    modules("beesdoo_shift", "beesdoo_pos", "cooperator_shares", "old_module")
    claire = person(Role.REPRESENTATIVE, bees)
    Installation.objects.create(
        organisation=bees, module=Module.objects.get(technical_name="old_module"), series="12.0"
    )
    client = logged_in(claire)
    upload = SimpleUploadedFile("modules.csv", EXPORT_EN.encode(), content_type="text/csv")
    page = client.post(
        "/en/ecosystem/bees-coop/modules/upload/", {"series": "12.0", "file": upload}
    )
    assert page.status_code == 200
    replaced = page.context["replaced"]
    assert replaced.added == ["beesdoo_shift", "cooperator_shares"]
    assert replaced.removed == ["old_module"]  # no longer installed
    assert replaced.core == 1  # sale: Odoo's own
    assert [line for line, _why in replaced.skipped] == [6, 7]  # not in the catalogue, bad name
    assert "somebody_elses: not in the catalogue" in page.content.decode()
    assert sorted(
        Installation.objects.filter(organisation=bees).values_list(
            "module__technical_name", flat=True
        )
    ) == ["beesdoo_shift", "cooperator_shares"]
    assert AuditEvent.objects.filter(action="commons.installation.uploaded").count() == 1


def test_an_unreadable_file_changes_nothing_and_says_why(bees) -> None:
    modules("beesdoo_shift")
    Installation.objects.create(
        organisation=bees, module=Module.objects.get(technical_name="beesdoo_shift"), series="12.0"
    )
    client = logged_in(person(Role.REPRESENTATIVE, bees))
    upload = SimpleUploadedFile("modules.csv", b"name,summary\nx,y\n", content_type="text/csv")
    page = client.post(
        "/en/ecosystem/bees-coop/modules/upload/", {"series": "12.0", "file": upload}
    )
    assert page.status_code == 400
    assert "no technical name and state columns" in page.content.decode()
    assert Installation.objects.filter(organisation=bees).count() == 1
    bad_series = client.post(
        "/en/ecosystem/bees-coop/modules/upload/",
        {"series": "twelve", "file": SimpleUploadedFile("m.csv", EXPORT_FR.encode())},
    )
    assert bad_series.status_code == 400
    assert "written like 12.0" in bad_series.content.decode()


def test_search_and_add_then_remove(bees) -> None:
    modules("beesdoo_shift", "beesdoo_pos")
    client = logged_in(person(Role.SUBSTITUTE, bees))
    found = client.get("/en/ecosystem/bees-coop/modules/", {"q": "shift"})
    assert [m.technical_name for m in found.context["found"]] == ["beesdoo_shift"]
    added = client.post(
        "/en/ecosystem/bees-coop/modules/add/", {"module": "beesdoo_shift", "series": "12.0"}
    )
    assert added.status_code == 302
    installation = Installation.objects.get(organisation=bees)
    unknown = client.post(
        "/en/ecosystem/bees-coop/modules/add/", {"module": "no_such", "series": "12.0"}
    )
    assert unknown.status_code == 400
    assert "No module “no_such” in the catalogue" in unknown.content.decode()
    client.post(f"/en/ecosystem/bees-coop/modules/{installation.pk}/remove/")
    assert not Installation.objects.filter(organisation=bees).exists()


def test_only_the_organisations_representatives_and_facilitators_change_its_list(
    bees, facilitator
) -> None:
    modules("beesdoo_shift")
    other = OrganisationFactory(slug="bloum")
    outsiders = [person(Role.REPRESENTATIVE, other), person(Role.MEMBER, bees)]
    for outsider in outsiders:
        client = logged_in(outsider)
        page = client.get("/en/ecosystem/bees-coop/modules/", {"q": "shift"})
        assert page.context["found"] == []
        assert not page.context["can_manage"]
        refused = client.post(
            "/en/ecosystem/bees-coop/modules/add/", {"module": "beesdoo_shift", "series": "12.0"}
        )
        assert refused.status_code == 403
    assert Client().post("/en/ecosystem/bees-coop/modules/add/").status_code == 302  # log in
    assert not Installation.objects.exists()
    logged_in(facilitator).post(
        "/en/ecosystem/bees-coop/modules/add/", {"module": "beesdoo_shift", "series": "12.0"}
    )
    assert Installation.objects.filter(organisation=bees).exists()


def test_a_hidden_list_is_for_the_organisations_people_and_facilitators(bees, facilitator) -> None:
    modules("beesdoo_shift")
    Installation.objects.create(
        organisation=bees, module=Module.objects.get(technical_name="beesdoo_shift"), series="12.0"
    )
    claire = person(Role.REPRESENTATIVE, bees)
    logged_in(claire).post("/en/ecosystem/bees-coop/modules/visibility/", {"hidden": "1"})
    public = Client().get("/en/ecosystem/bees-coop/modules/")
    assert not public.context["visible"]
    assert "beesdoo_shift" not in public.content.decode()
    module_page = Client().get("/en/commons/beesdoo_shift/")
    assert module_page.context["runners"] == []
    assert module_page.context["private_runners"] == 1
    assert Client().get("/api/v1/organisations/bees-coop/modules").status_code == 404
    for insider in (person(Role.MEMBER, bees), facilitator):
        assert logged_in(insider).get("/en/ecosystem/bees-coop/modules/").context["visible"]
        shown = logged_in(insider).get("/en/commons/beesdoo_shift/").context["runners"]
        assert shown == [("12.0", [bees])]
    logged_in(claire).post("/en/ecosystem/bees-coop/modules/visibility/", {"hidden": "0"})
    assert Client().get("/api/v1/organisations/bees-coop/modules").json() == [
        {"technical_name": "beesdoo_shift", "series": "12.0"}
    ]


def test_the_catalogue_filters_by_category_licence_repository_and_use(bees) -> None:
    from komunigi.commons.models import Repository

    repository = Repository.objects.create(url="https://github.com/beescoop/Obeesdoo")
    shift = Module.objects.create(technical_name="beesdoo_shift")
    ModuleVersion.objects.create(
        module=shift, series="12.0", name="Shifts", license="AGPL-3", category="Cooperative",
        repository=repository,
    )  # fmt: skip
    ModuleVersion.objects.create(module=shift, series="16.0", name="Shifts", license="LGPL-3")
    labels = Module.objects.create(technical_name="product_label")
    ModuleVersion.objects.create(module=labels, series="16.0", name="Labels", license="AGPL-3")
    Installation.objects.create(organisation=bees, module=labels, series="16.0")

    def names(**wanted: str) -> list[str]:
        page = Client().get("/en/commons/", wanted).context["page"]
        return [m.technical_name for m in page]

    assert names(license="AGPL-3") == ["beesdoo_shift", "product_label"]
    # One and the same version: beesdoo_shift is AGPL on 12.0 only.
    assert names(license="AGPL-3", series="16.0") == ["product_label"]
    assert names(category="Cooperative") == ["beesdoo_shift"]
    assert names(repository=str(repository.pk)) == ["beesdoo_shift"]
    assert names(used="1") == ["product_label"]
    exported = Client().get("/en/commons/export.csv", {"license": "AGPL-3"})
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [(r["technical_name"], r["series"], r["license"]) for r in rows] == [
        ("beesdoo_shift", "12.0", "AGPL-3"),
        ("beesdoo_shift", "16.0", "LGPL-3"),
        ("product_label", "16.0", "AGPL-3"),
    ]
