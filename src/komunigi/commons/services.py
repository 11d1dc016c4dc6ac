"""Writes of the commons: which modules an organisation runs, which a need touches, and who
follows a module."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.commons import installed_csv, manifests, permissions
from komunigi.commons.importer import core_addon
from komunigi.commons.models import Installation, Module, ModuleFollow, ModuleList, NeedModule
from komunigi.community.models import Organisation, User
from komunigi.errors import DomainError, require
from komunigi.needs import emails as need_emails
from komunigi.needs import permissions as need_permissions
from komunigi.needs.models import Need, NeedStatus


def check_series(series: str) -> str:
    if not manifests.SERIES.match(series):
        raise DomainError(_("An Odoo series is written like 12.0 or 16.0."))
    return series


def add_installation(
    organisation: Organisation, module: Module, series: str, *, actor: User
) -> Installation:
    require(permissions.can_manage_modules(actor, organisation))
    check_series(series)
    with transaction.atomic():
        installation, created = Installation.objects.get_or_create(
            organisation=organisation, module=module, series=series, defaults={"added_by": actor}
        )
        if created:
            log_action(
                actor,
                "commons.installation.added",
                organisation,
                {"module": module.technical_name, "series": series},
            )
    return installation


def remove_installation(installation: Installation, *, actor: User) -> None:
    require(permissions.can_manage_modules(actor, installation.organisation))
    with transaction.atomic():
        log_action(
            actor,
            "commons.installation.removed",
            installation.organisation,
            {"module": installation.module.technical_name, "series": installation.series},
        )
        installation.delete()


def set_list_hidden(organisation: Organisation, hidden: bool, *, actor: User) -> None:
    require(permissions.can_manage_modules(actor, organisation))
    with transaction.atomic():
        ModuleList.objects.update_or_create(organisation=organisation, defaults={"hidden": hidden})
        log_action(actor, "commons.list.visibility", organisation, {"hidden": hidden})


def is_list_hidden(organisation: Organisation) -> bool:
    return ModuleList.objects.filter(organisation=organisation, hidden=True).exists()


@dataclass
class Replaced:
    """What an uploaded list changed, and what it left out and why."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: int = 0
    core: int = 0  # Odoo's own addons: not the community's modules
    not_installed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why), translated


UNREADABLE = {
    "too large": lambda: _("The file is larger than 2 MB: export only the modules' list."),
    "not UTF-8 text": lambda: _("The file is not text in UTF-8, as Odoo exports CSV."),
    "empty": lambda: _("The file is empty."),
    "columns": lambda: _(
        "The file has no technical name and state columns: export the Apps list from Odoo "
        "with the fields “Technical Name” and “Status”."
    ),
    "too many lines": lambda: _("The file has more than 20 000 lines."),
}
SKIPPED = {
    "incomplete": lambda: _("the line has fewer columns than its header"),
    "name": lambda: _("not a module's technical name"),
    "unknown": lambda: _("not in the catalogue"),
}


def replace_from_export(
    organisation: Organisation, series: str, data: bytes, *, actor: User
) -> Replaced:
    """The installed modules of an Odoo export become the organisation's list on ``series``:
    those no longer installed leave it. Odoo's core addons and modules the catalogue does not
    know are left out, each unknown one with its line."""
    require(permissions.can_manage_modules(actor, organisation))
    check_series(series)
    try:
        exported = installed_csv.read(data)
    except installed_csv.UnreadableList as error:
        raise DomainError(UNREADABLE[str(error)]()) from None
    result = Replaced(not_installed=exported.not_installed)
    result.skipped = [(line, SKIPPED[why]()) for line, why in exported.skipped]
    community = [(line, name) for line, name in exported.installed if not core_addon(name, series)]
    result.core = len(exported.installed) - len(community)
    known = {
        m.technical_name: m
        for m in Module.objects.filter(technical_name__in=[name for _line, name in community])
    }
    result.skipped += [
        (line, f"{name}: {SKIPPED['unknown']()}") for line, name in community if name not in known
    ]
    result.skipped.sort()
    with transaction.atomic():
        current = {
            i.module.technical_name: i
            for i in Installation.objects.filter(organisation=organisation, series=series)
            .select_related("module")
            .select_for_update()
        }
        result.removed = sorted(set(current) - set(known))
        Installation.objects.filter(pk__in=[current[n].pk for n in result.removed]).delete()
        result.added = sorted(set(known) - set(current))
        Installation.objects.bulk_create(
            Installation(organisation=organisation, module=known[n], series=series, added_by=actor)
            for n in result.added
        )
        result.kept = len(current) - len(result.removed)
        log_action(
            actor,
            "commons.installation.uploaded",
            organisation,
            {"series": series, "added": result.added, "removed": result.removed},
        )
    return result


def set_need_modules(
    need: Need, touched: list[Module], produced: list[Module], *, actor: User
) -> None:
    """The modules a need touches, and among them those it produced.

    Side effect: once the need is published, the followers of a module newly linked to it hear
    of the need (unless a tag or a module it touched before told them already).
    """
    require(need_permissions.can_edit_need(actor, need))
    produced_names = {m.pk for m in produced}
    with transaction.atomic():
        # Locked, and its status read afresh: two edits at once must not both count a module
        # as new, and a caller's copy may predate the need's publication.
        need = Need.objects.select_for_update().get(pk=need.pk)
        before = set(NeedModule.objects.filter(need=need).values_list("module", flat=True))
        NeedModule.objects.filter(need=need).delete()
        NeedModule.objects.bulk_create(
            NeedModule(need=need, module=m, produced=m.pk in produced_names)
            for m in {m.pk: m for m in [*touched, *produced]}.values()
        )
        log_action(
            actor,
            "commons.need_modules.set",
            need,
            {
                "touched": sorted(m.technical_name for m in touched),
                "produced": sorted(m.technical_name for m in produced),
            },
        )
        # A draft's followers hear of it when it is published, with its modules then.
        if need.status != NeedStatus.DRAFT:
            need_emails.notify_new_need(need, modules_before=before)


def follow_module(module: Module, *, user: User) -> None:
    require(user.is_authenticated and user.is_active)
    with transaction.atomic():
        _follow, created = ModuleFollow.objects.get_or_create(user=user, module=module)
        if created:
            log_action(user, "commons.module.followed", module)


def unfollow_module(module: Module, *, user: User) -> None:
    with transaction.atomic():
        deleted, _details = ModuleFollow.objects.filter(user=user, module=module).delete()
        if deleted:
            log_action(user, "commons.module.unfollowed", module)
