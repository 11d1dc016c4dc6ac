"""The catalogue of the Odoo modules the community builds and runs."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from komunigi.community.models import Organisation, User
from komunigi.needs.models import Need


class Repository(models.Model):
    url = models.CharField(_("address"), max_length=500, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    # Refreshed in the background: asked when, done when, and what it did or why it failed.
    refresh_requested_at = models.DateTimeField(_("refresh asked at"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    last_report = models.ForeignKey(
        "ImportReport", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_error = models.CharField(_("why the last refresh failed"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("repository")
        verbose_name_plural = _("repositories")
        ordering = ["url"]

    def __str__(self) -> str:
        return self.name or self.url


class Module(models.Model):
    """A technical name (``beesdoo_shift``), whatever the series."""

    technical_name = models.CharField(_("technical name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["technical_name"]

    def __str__(self) -> str:
        return self.technical_name

    def get_absolute_url(self) -> str:
        return reverse("module", args=[self.technical_name])


class ModuleVersion(models.Model):
    """What a module's manifest says on one Odoo series."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="versions")
    series = models.CharField(_("Odoo series"), max_length=10)
    name = models.CharField(_("name"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)
    license = models.CharField(_("licence"), max_length=50, blank=True)
    authors = models.JSONField(_("authors"), default=list)
    maintainers = models.JSONField(_("maintainers"), default=list)
    website = models.CharField(_("website"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    # Told apart for this series: Odoo's own addons, and the community's modules.
    core_depends = models.JSONField(_("Odoo addons it depends on"), default=list)
    community_depends = models.JSONField(_("modules it depends on"), default=list)
    installable = models.BooleanField(_("installable"), default=True)
    development_status = models.CharField(_("development status"), max_length=50, blank=True)
    repository = models.ForeignKey(
        Repository, on_delete=models.SET_NULL, null=True, blank=True, related_name="versions"
    )
    path = models.CharField(_("path"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # No longer in its repository's branch: kept, marked gone.
    gone_at = models.DateTimeField(_("gone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("module version")
        verbose_name_plural = _("module versions")
        ordering = ["module__technical_name", "series"]
        constraints = [
            models.UniqueConstraint(fields=["module", "series"], name="one_version_per_series")
        ]

    def __str__(self) -> str:
        return f"{self.module} {self.series}"


class Dependency(models.Model):
    """A community module a version depends on, by name: indexed, so that a module's page
    finds what depends on it without reading every manifest."""

    version = models.ForeignKey(
        ModuleVersion, on_delete=models.CASCADE, related_name="dependencies"
    )
    name = models.CharField(_("technical name"), max_length=100, db_index=True)

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="depend_once")]

    def __str__(self) -> str:
        return f"{self.version} → {self.name}"


class ImportReport(models.Model):
    """What one import did: added, updated, gone, and what it skipped with the reason."""

    source = models.CharField(_("source"), max_length=500)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    added = models.JSONField(_("added"), default=list)
    updated = models.JSONField(_("updated"), default=list)
    gone = models.JSONField(_("gone"), default=list)
    skipped = models.JSONField(_("skipped"), default=list)  # [[path, reason], …]

    class Meta:
        verbose_name = _("import report")
        verbose_name_plural = _("import reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} ({self.created_at:%Y-%m-%d})"


class Installation(models.Model):
    """An organisation runs a module on an Odoo series."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="installations"
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="installations")
    series = models.CharField(_("Odoo series"), max_length=10)
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("module an organisation runs")
        verbose_name_plural = _("modules organisations run")
        ordering = ["series", "module__technical_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "module", "series"], name="run_once_per_series"
            )
        ]
        indexes = [models.Index(fields=["series", "module"], name="installation_series_module")]

    def __str__(self) -> str:
        return f"{self.organisation} runs {self.module} {self.series}"


class ModuleList(models.Model):
    """An organisation's choices about its list of modules: public unless it hides it."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="module_list"
    )
    hidden = models.BooleanField(_("hidden from people outside the organisation"), default=False)

    class Meta:
        verbose_name = _("module list")
        verbose_name_plural = _("module lists")

    def __str__(self) -> str:
        return str(self.organisation)


class NeedModule(models.Model):
    """A need touches a module; once delivered, it may say it produced it."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="module_links")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="need_links")
    produced = models.BooleanField(_("produced by this need"), default=False)

    class Meta:
        verbose_name = _("module of a need")
        verbose_name_plural = _("modules of needs")
        ordering = ["module__technical_name"]
        constraints = [models.UniqueConstraint(fields=["need", "module"], name="need_module_once")]

    def __str__(self) -> str:
        return f"{self.need} → {self.module}"


class ModuleFollow(models.Model):
    """A person who wants to hear of each new need that touches this module."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="followed_modules")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("followed module")
        verbose_name_plural = _("followed modules")
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="follow_module_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.module}"
