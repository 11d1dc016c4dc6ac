"""The migration order: each module after the modules it depends on, cycles reported."""

from hypothesis import given
from hypothesis import strategies as st

from komunigi.commons.planning import migration_order


def test_each_module_comes_after_what_it_depends_on() -> None:
    order = migration_order(
        ["shift_email", "shift", "base", "pos"],
        {"shift_email": ["shift", "mail"], "shift": ["base"], "pos": ["base", "point_of_sale"]},
    )
    assert order.steps == [["base"], ["pos"], ["shift"], ["shift_email"]]
    assert order.cycles == []


def test_a_cycle_is_reported_as_modules_to_migrate_together_and_the_rest_still_ordered() -> None:
    # a → b → c → a, d depends on the cycle, the cycle depends on base.
    order = migration_order(
        ["a", "b", "c", "d", "base"],
        {"a": ["b"], "b": ["c"], "c": ["a", "base"], "d": ["a"]},
    )
    assert order.steps == [["base"], ["a", "b", "c"], ["d"]]
    assert order.cycles == [["a", "b", "c"]]


def test_a_module_that_depends_on_itself_is_a_cycle() -> None:
    order = migration_order(["selfish", "other"], {"selfish": ["selfish"]})
    assert order.steps == [["other"], ["selfish"]]
    assert order.cycles == [["selfish"]]


def test_a_long_chain_does_not_exhaust_the_stack() -> None:
    names = [f"m{n:05}" for n in range(5000)]
    depends = {name: [names[i - 1]] for i, name in enumerate(names) if i}
    assert [step[0] for step in migration_order(reversed(names), depends).steps] == names


graphs = st.dictionaries(
    st.sampled_from("abcdefghij"), st.lists(st.sampled_from("abcdefghijxyz"), max_size=4)
)


@given(graphs)
def test_every_module_once_and_never_before_a_dependency_outside_its_cycle(depends) -> None:
    modules = set(depends) | {"a"}
    order = migration_order(modules, depends)
    placed = [name for step in order.steps for name in step]
    assert sorted(placed) == sorted(modules)
    position = {name: i for i, step in enumerate(order.steps) for name in step}
    for name, dependencies in depends.items():
        for dependency in dependencies:
            if dependency in modules:
                assert position[dependency] <= position[name]
                if position[dependency] == position[name] and dependency != name:
                    assert order.steps[position[name]] in order.cycles
