from django import forms
from django.utils.translation import gettext_lazy as _

from komunigi.commons import installed_csv, manifests
from komunigi.commons.models import Module


def _check_series(value: str) -> None:
    if not manifests.SERIES.match(value):
        raise forms.ValidationError(_("An Odoo series is written like 12.0 or 16.0."))


class AddModuleForm(forms.Form):
    module = forms.CharField(label=_("Technical name"), max_length=100)
    series = forms.CharField(label=_("Odoo series"), max_length=10, validators=[_check_series])

    def clean_module(self) -> Module:
        name = self.cleaned_data["module"].strip()
        found = Module.objects.filter(technical_name=name).first()
        if found is None:
            raise forms.ValidationError(
                _("No module “%(name)s” in the catalogue."), params={"name": name}
            )
        return found


class UploadModulesForm(forms.Form):
    file = forms.FileField(
        label=_("Module list exported from Odoo (CSV)"),
        help_text=_(
            "In Odoo: Apps, list view, select all, Action › Export, with the fields “Technical "
            "Name” and “Status”. Only installed modules count; the list replaces the one of "
            "this series."
        ),
    )
    series = forms.CharField(label=_("Odoo series"), max_length=10, validators=[_check_series])

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > installed_csv.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 2 MB: export only the modules' list.")
            )
        return bytes(upload.read())


class ModulesOfNeedForm(forms.Form):
    touched = forms.CharField(
        label=_("Modules it touches"),
        required=False,
        max_length=5000,
        help_text=_("Technical names, separated by commas or spaces."),
    )
    produced = forms.CharField(
        label=_("Modules it produced"),
        required=False,
        max_length=5000,
        help_text=_("Once delivered: the modules this work created or changed."),
    )

    def _modules(self, field: str) -> list[Module]:
        names = sorted(set(self.cleaned_data[field].replace(",", " ").split()))
        found = {m.technical_name: m for m in Module.objects.filter(technical_name__in=names)}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise forms.ValidationError(
                _("Not in the catalogue: %(names)s."), params={"names": ", ".join(unknown)}
            )
        return [found[name] for name in names]

    def clean_touched(self) -> list[Module]:
        return self._modules("touched")

    def clean_produced(self) -> list[Module]:
        return self._modules("produced")


class RepositoryForm(forms.Form):
    url = forms.URLField(
        label=_("Repository address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An HTTPS address that git can clone, such as https://github.com/OCA/pos."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if not url.startswith("https://"):
            raise forms.ValidationError(_("Only HTTPS addresses are read from the site."))
        return url
