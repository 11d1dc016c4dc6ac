"""The lifecycle of a need (DESIGN.md §3): which status may follow which. Pure, no Django.

draft → open → quoted → scheduled → approved → funding → funded → in progress → delivered →
closed; a scheduled need may be rejected or postponed (and a postponed one reopened); a
funding campaign may fail (and the need be reopened); a need may be withdrawn from any status
before it is funded.
"""

DRAFT = "draft"
OPEN = "open"
QUOTED = "quoted"
SCHEDULED = "scheduled"
APPROVED = "approved"
REJECTED = "rejected"
POSTPONED = "postponed"
FUNDING = "funding"
FUNDED = "funded"
FAILED = "failed"
IN_PROGRESS = "in_progress"
DELIVERED = "delivered"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

BEFORE_FUNDED = frozenset({DRAFT, OPEN, QUOTED, SCHEDULED, APPROVED, POSTPONED, FUNDING, FAILED})

TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({OPEN}),
    OPEN: frozenset({QUOTED}),
    QUOTED: frozenset({OPEN, SCHEDULED}),
    SCHEDULED: frozenset({APPROVED, REJECTED, POSTPONED}),
    POSTPONED: frozenset({OPEN}),
    APPROVED: frozenset({FUNDING}),
    FUNDING: frozenset({FUNDED, FAILED}),
    FAILED: frozenset({OPEN}),
    FUNDED: frozenset({IN_PROGRESS}),
    IN_PROGRESS: frozenset({DELIVERED}),
    DELIVERED: frozenset({CLOSED}),
    REJECTED: frozenset(),
    CLOSED: frozenset(),
    WITHDRAWN: frozenset(),
}

# Statuses in which a need is still being decided, funded or built (the roadmap's).
ACTIVE = frozenset(
    {OPEN, QUOTED, SCHEDULED, POSTPONED, APPROVED, FUNDING, FAILED, FUNDED, IN_PROGRESS}
)
# Moves made by the platform itself, never chosen by hand: a need is "quoted" exactly while
# it has a valid quote.
AUTOMATIC = frozenset({(OPEN, QUOTED), (QUOTED, OPEN)})
# Statuses that belong to a process: reached only through a meeting's decision (scheduled,
# approved, rejected) or a co-financing campaign (funding, funded, failed), never by hand.
BY_PROCESS = frozenset({SCHEDULED, APPROVED, REJECTED, FUNDING, FUNDED, FAILED})
# Statuses a need leaves only through its process: its decision is on an agenda, its campaign
# collects pledges. Taking it off the agenda or cancelling the campaign frees it.
HELD_BY_PROCESS = frozenset({SCHEDULED, FUNDING})
# Statuses in which a need has (or is about to have) co-financing campaigns.
CO_FINANCING = frozenset({APPROVED, FUNDING, FUNDED, FAILED, IN_PROGRESS, DELIVERED, CLOSED})
# Statuses in which a need may enter a priority round.
RANKABLE = frozenset({OPEN, QUOTED})
# Statuses in which the text of a need may still change.
EDITABLE = frozenset({DRAFT, OPEN, QUOTED, POSTPONED})


def next_statuses(current: str) -> frozenset[str]:
    """Where a need in ``current`` may go next."""
    following = TRANSITIONS[current]
    if current in BEFORE_FUNDED:
        following |= {WITHDRAWN}
    return following


def can_move(current: str, new: str) -> bool:
    return new in next_statuses(current)


def manual_statuses(current: str) -> frozenset[str]:
    """Where a person may move a need in ``current`` by hand: neither a status a process owns,
    nor out of a status its process holds, nor a move the platform makes by itself."""
    if current in HELD_BY_PROCESS:
        return frozenset()
    return frozenset(
        new for new in next_statuses(current) - BY_PROCESS if (current, new) not in AUTOMATIC
    )
