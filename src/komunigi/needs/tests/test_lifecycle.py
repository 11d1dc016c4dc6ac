import itertools

import pytest

from komunigi.needs import lifecycle

BEFORE_FUNDED = [
    "draft",
    "open",
    "quoted",
    "scheduled",
    "approved",
    "postponed",
    "funding",
    "failed",
]


def test_the_main_path_from_draft_to_closed_is_allowed_step_by_step() -> None:
    path = ["draft", "open", "quoted", "scheduled", "approved", "funding", "funded"]
    path += ["in_progress", "delivered", "closed"]
    for current, following in itertools.pairwise(path):
        assert lifecycle.can_move(current, following), (current, following)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("scheduled", "rejected"),
        ("scheduled", "postponed"),
        ("postponed", "open"),
        ("funding", "failed"),
        ("failed", "open"),
        ("quoted", "open"),
    ],
)
def test_side_branches_are_allowed(current: str, new: str) -> None:
    assert lifecycle.can_move(current, new)


@pytest.mark.parametrize("current", BEFORE_FUNDED)
def test_withdrawal_is_possible_before_funding(current: str) -> None:
    assert lifecycle.can_move(current, "withdrawn")


@pytest.mark.parametrize(
    "current", ["funded", "in_progress", "delivered", "closed", "rejected", "withdrawn"]
)
def test_withdrawal_is_impossible_once_funded_or_ended(current: str) -> None:
    assert not lifecycle.can_move(current, "withdrawn")


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("draft", "quoted"),
        ("open", "approved"),
        ("quoted", "funded"),
        ("closed", "open"),
        ("delivered", "open"),
        ("rejected", "approved"),
        ("open", "open"),
        ("open", "scheduled"),
        ("postponed", "quoted"),
    ],
)
def test_skipping_or_going_back_is_refused(current: str, new: str) -> None:
    assert not lifecycle.can_move(current, new)


def test_every_status_has_its_transitions() -> None:
    from komunigi.needs.models import NeedStatus

    assert set(lifecycle.TRANSITIONS) == set(NeedStatus.values)
