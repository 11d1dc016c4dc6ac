"""A closed decision's result as charts: its votes against the yes votes its rule needed, and
the supermarkets represented against the quorum (``web.charts`` lays them out)."""

import math
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from komunigi.meetings import tally
from komunigi.meetings.models import Choice, Decision, DecisionStatus, Outcome
from komunigi.web import charts
from komunigi.web.figures import Figure


def yes_needed(rule: str, cast: int) -> int | None:
    """The fewest "yes" that approve a decision under ``rule`` among ``cast`` votes cast (yes
    and no; abstentions are not votes cast), as ``tally.tally`` counts: more than half for a
    majority, at least two thirds for two thirds. None when no number of yes decides: under
    consent (an objection blocks, whatever the yes) or with no vote cast."""
    if rule not in (tally.MAJORITY, tally.TWO_THIRDS) or cast <= 0:
        return None
    if rule == tally.MAJORITY:
        return cast // 2 + 1
    return math.ceil(Fraction(2, 3) * cast)


def quorum_needed(members: int, quorum: Decimal) -> int:
    """The fewest supermarkets represented that make the quorum: ``quorum`` of ``members``."""
    return math.ceil(Fraction(quorum) * members)


def decision_figures(decision: Decision, *, members: int, quorum: Decimal) -> list[Figure]:
    """The charts of a decision counted (closed, not postponed): its votes when there are any,
    and the supermarkets represented when it was counted, of ``members`` (the meeting's quorum
    base) with ``quorum`` their share needed. Reads nothing from the database."""
    if decision.status != DecisionStatus.CLOSED or decision.outcome in ("", Outcome.POSTPONED):
        return []
    figures = []
    title = str(decision.item.title)
    counts = {
        choice: int(decision.counts.get(choice, 0)) for choice in tally.CHOICES[decision.rule]
    }
    if sum(counts.values()):
        figures.append(_votes(decision, title, counts))
    if decision.represented is not None and members > 0:
        figures.append(_participation(decision, title, members, quorum))
    return figures


def _votes(decision: Decision, title: str, counts: dict[str, int]) -> Figure:
    needed = None
    if decision.outcome == Outcome.NO_QUORUM:  # no number of yes decides without quorum
        total = sum(counts.values())
        summary = ngettext(
            "%(count)s vote, which decides nothing: the quorum was not reached.",
            "%(count)s votes, which decide nothing: the quorum was not reached.",
            total,
        ) % {"count": total}
    elif decision.rule == tally.CONSENT:
        objections = counts[tally.OBJECT]
        summary = (
            ngettext(
                "%(count)s supermarket objects, and one objection blocks the decision.",
                "%(count)s supermarkets object, and one objection blocks the decision.",
                objections,
            )
            % {"count": objections}
            if objections
            else _("Nobody objects: the decision is taken by consent.")
        )
    else:
        cast = counts[tally.YES] + counts[tally.NO]
        needed = yes_needed(decision.rule, cast)
        summary = (
            ngettext(
                "%(yes)s yes of %(count)s vote cast, where approval needs %(needed)s yes; "
                "abstentions are not votes cast.",
                "%(yes)s yes of %(count)s votes cast, where approval needs %(needed)s yes; "
                "abstentions are not votes cast.",
                cast,
            )
            % {"yes": counts[tally.YES], "count": cast, "needed": needed}
            if needed is not None
            else _("Nobody voted yes or no: abstentions are not votes cast.")
        )
    return Figure(
        f"decision-{decision.pk}-votes",
        _("Votes on “%(title)s”") % {"title": title},
        summary,
        charts.meter(
            [(choice, Decimal(count)) for choice, count in counts.items()],
            marks=[("needed", Decimal(needed))] if needed is not None else [],
        ),
        series={choice: str(Choice(choice).label) for choice in counts},
        unit="count",
        marks={"needed": _("Yes votes needed to approve")},
    )


def _participation(decision: Decision, title: str, members: int, quorum: Decimal) -> Figure:
    represented = decision.represented or 0
    needed = quorum_needed(members, quorum)
    values = {"count": represented, "members": members, "needed": needed}
    if decision.outcome != Outcome.NO_QUORUM:  # as it was counted, so as the outcome says
        summary = ngettext(
            "%(count)s of %(members)s member supermarket represented, where %(needed)s make "
            "the quorum: it is reached.",
            "%(count)s of %(members)s member supermarkets represented, where %(needed)s make "
            "the quorum: it is reached.",
            members,
        )
    else:
        summary = ngettext(
            "%(count)s of %(members)s member supermarket represented, where %(needed)s make "
            "the quorum: it is not reached.",
            "%(count)s of %(members)s member supermarkets represented, where %(needed)s make "
            "the quorum: it is not reached.",
            members,
        )
    return Figure(
        f"decision-{decision.pk}-quorum",
        _("Quorum for “%(title)s”") % {"title": title},
        summary % values,
        charts.meter(
            [("represented", Decimal(represented))],
            marks=[("quorum", Decimal(needed)), ("members", Decimal(members))],
        ),
        series={"represented": _("Supermarkets represented")},
        unit="count",
        marks={"quorum": _("Needed for the quorum"), "members": _("Member supermarkets")},
    )
