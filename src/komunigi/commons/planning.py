"""The order in which to migrate modules: each after the modules it depends on.

Dependencies form a graph that should be acyclic, but manifests are written by people: two
modules may depend on each other. Such a cycle is reported as a group to migrate together,
never looped on. Pure: no Django.
"""

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Order:
    steps: list[list[str]]  # each step a module, or the modules of a cycle, together
    cycles: list[list[str]]  # the steps of more than one module (or depending on itself)


def migration_order(modules: Iterable[str], depends: Mapping[str, Iterable[str]]) -> Order:
    """``modules`` in an order where each comes after those of ``modules`` it depends on
    (dependencies outside ``modules`` do not constrain it); ties in name order."""
    wanted = sorted(set(modules))
    inside = set(wanted)
    edges = {name: sorted(set(depends.get(name, ())) & inside) for name in wanted}
    groups = _strongly_connected(wanted, edges)
    group_of = {name: index for index, group in enumerate(groups) for name in group}
    waiting = [0] * len(groups)  # how many groups each still waits for
    dependents: list[set[int]] = [set() for _ in groups]
    for name in wanted:
        for dependency in edges[name]:
            before, after = group_of[dependency], group_of[name]
            if before != after and after not in dependents[before]:
                dependents[before].add(after)
                waiting[after] += 1
    ready = [(groups[i][0], i) for i in range(len(groups)) if waiting[i] == 0]
    heapq.heapify(ready)
    steps: list[list[str]] = []
    while ready:
        _first, index = heapq.heappop(ready)
        steps.append(groups[index])
        for after in dependents[index]:
            waiting[after] -= 1
            if waiting[after] == 0:
                heapq.heappush(ready, (groups[after][0], after))
    cycles = [step for step in steps if len(step) > 1 or step[0] in edges[step[0]]]
    return Order(steps, cycles)


def _strongly_connected(nodes: list[str], edges: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion (a catalogue may hold thousands of modules):
    the graph's strongly connected components, each sorted by name."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, next_edge = work.pop()
            if next_edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            successors = edges[node]
            if next_edge < len(successors):
                work.append((node, next_edge + 1))
                successor = successors[next_edge]
                if successor not in index:
                    work.append((successor, 0))
                elif successor in on_stack:
                    low[node] = min(low[node], index[successor])
                continue
            for successor in successors:  # all visited: take the low links of the children
                if successor in on_stack:
                    low[node] = min(low[node], low[successor])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return found
