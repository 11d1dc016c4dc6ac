"""The migration planner: of the modules member organisations run on a source series, which
exist on the target, which do not, who runs each, and in which order to migrate the rest."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from komunigi.audit.services import log_action
from komunigi.commons import permissions, planning
from komunigi.commons.catalogue import series_key_of
from komunigi.commons.models import (
    Dependency,
    Installation,
    Module,
    ModuleVersion,
    NeedModule,
)
from komunigi.community.models import (
    ODOO_SERIES,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
)
from komunigi.errors import DomainError, require
from komunigi.needs import emails as need_emails
from komunigi.needs import roadmap_version
from komunigi.needs import services as need_services
from komunigi.needs.models import Interest, Need, Priority


@dataclass(frozen=True)
class Runner:
    """An organisation that runs a module, as the plan shows it (read as plain values: a
    plan may hold tens of thousands of them)."""

    pk: int
    name: str
    slug: str
    kind: str


@dataclass
class Planned:
    module: Module
    runners: list[Runner]  # whose lists are public (all of them for facilitators)
    hidden_runners: int  # organisations that keep their list to themselves
    supermarkets: int  # member supermarkets that run it, hidden lists included
    dependents: list[str] = field(default_factory=list)  # run on the source, depending on it
    step: int = 0  # its place in the order of migration (1 first)
    in_cycle: bool = False


@dataclass
class Plan:
    source: str
    target: str
    ready: list[Planned]  # already on the target series
    missing: list[Planned]  # in the order of migration
    cycles: list[list[str]]

    @property
    def supermarkets(self) -> list[Runner]:
        """The supermarkets whose lists are public that run a missing module."""
        found = {o.pk: o for p in self.missing for o in p.runners if _supermarket(o)}
        return sorted(found.values(), key=lambda o: o.name)


def _supermarket(organisation: Runner) -> bool:
    return organisation.kind == OrganisationKind.SUPERMARKET


def plan(source: str, target: str, *, viewer: object = None) -> Plan:
    """A bounded number of queries whatever the catalogue's size."""
    run = Installation.objects.filter(series=source, organisation__status=OrganisationStatus.MEMBER)
    # The modules run, as a subquery: thousands of names as parameters cost more to send
    # (and SQLite to parse) than the database takes to find them again.
    run_modules = run.order_by().values("module_id")
    installations = run.order_by("module__technical_name", "organisation__name").values_list(
        "module_id",
        "module__technical_name",
        "organisation_id",
        "organisation__name",
        "organisation__slug",
        "organisation__kind",
    )
    hidden = permissions.lists_hidden_from(viewer)
    by_module: dict[str, Planned] = {}
    for module_id, name, pk, organisation_name, slug, kind in installations:
        planned = by_module.get(name)
        if planned is None:
            module = Module(pk=module_id, technical_name=name)
            planned = by_module[name] = Planned(module, [], 0, 0)
        runner = Runner(pk, organisation_name, slug, kind)
        if runner.pk in hidden:
            planned.hidden_runners += 1
        else:
            planned.runners.append(runner)
        planned.supermarkets += _supermarket(runner)
    on_target = set(
        ModuleVersion.objects.filter(
            series=target, gone_at=None, installable=True, module__in=run_modules
        ).values_list("module__technical_name", flat=True)
    )
    depends: dict[str, set[str]] = {}
    for dependent, dependency in Dependency.objects.filter(
        version__series=source, version__module__in=run_modules
    ).values_list("version__module__technical_name", "name"):
        depends.setdefault(dependent, set()).add(dependency)
        if dependency in by_module:
            by_module[dependency].dependents.append(dependent)
    missing = [name for name in by_module if name not in on_target]
    order = planning.migration_order(missing, depends)
    in_cycles = {name for cycle in order.cycles for name in cycle}
    for step, names in enumerate(order.steps, start=1):
        for name in names:
            by_module[name].step = step
            by_module[name].in_cycle = name in in_cycles
    for planned in by_module.values():
        planned.dependents.sort()
    return Plan(
        source,
        target,
        ready=[by_module[name] for name in sorted(on_target)],
        missing=[by_module[name] for names in order.steps for name in names],
        cycles=order.cycles,
    )


def known_series() -> list[str]:
    """The series the catalogue or a list holds, oldest first."""
    found = set(ModuleVersion.objects.order_by().values_list("series", flat=True).distinct())
    found |= set(Installation.objects.order_by().values_list("series", flat=True).distinct())
    return sorted(found, key=series_key_of)


def propose_migration(the_plan: Plan, *, actor: User, organisation: Organisation) -> Need:
    """A pooled need to migrate the missing modules, in order, with the supermarkets that run
    them recorded as interested (those that hide their list say so themselves). Side effect:
    the followers of its tag and of its modules hear of it, once each."""
    require(permissions.can_propose_migration(actor))
    if not the_plan.missing:
        raise DomainError(_("Every module run on this series already exists on the target."))
    names = [p.module.technical_name for p in the_plan.missing]
    steps = "\n".join(
        f"{p.step}. `{p.module.technical_name}` — "
        + ", ".join(o.name for o in p.runners if _supermarket(o))
        for p in the_plan.missing
    )
    with transaction.atomic():
        need = need_services.create_need(
            author=actor,
            organisation=organisation,
            title=_("Migrate our modules from Odoo %(source)s to %(target)s")
            % {"source": the_plan.source, "target": the_plan.target},
            problem=_(
                "Member supermarkets run %(count)s modules on Odoo %(source)s that do not exist "
                "on %(target)s yet. In the order of migration, with who runs them:"
            )
            % {"count": len(names), "source": the_plan.source, "target": the_plan.target}
            + "\n\n"
            + steps,
            expected_outcome=_(
                "Each of these modules is installable on Odoo %(target)s, migrated after the "
                "modules it depends on."
            )
            % {"target": the_plan.target},
            tags=["migration"],
            odoo_series=the_plan.target if the_plan.target in dict(ODOO_SERIES) else "",
            publish=True,
        )
        NeedModule.objects.bulk_create(
            NeedModule(need=need, module=p.module) for p in the_plan.missing
        )
        # Published before its modules were linked: their followers hear of it now.
        need_emails.notify_new_need(need, modules_before=())
        for supermarket in the_plan.supermarkets:
            ran = [p.module.technical_name for p in the_plan.missing if supermarket in p.runners]
            Interest.objects.create(
                need=need,
                organisation_id=supermarket.pk,
                priority=Priority.SHOULD,
                comment=_("Runs on %(source)s: %(modules)s.")
                % {"source": the_plan.source, "modules": ", ".join(ran)},
                created_by=actor,
            )
        roadmap_version.changed()
        log_action(
            actor,
            "commons.migration.proposed",
            need,
            {"source": the_plan.source, "target": the_plan.target, "modules": names},
        )
    return need
