"""A lifecycle as data: the moves between statuses and who may make each.

Every lifecycle of the portal (a file, an expert's recognition) is one `Lifecycle` in its app's
`workflow.py`, read by the one service of that app that changes the status (it locks the row,
asks the table, saves, and writes the event row in one transaction). Nothing else decides which
move is possible: forms offer `targets(...)`, services check `allows(...)`."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Lifecycle:
    # moves[source][target]: the actors who may move an object from source to target.
    moves: Mapping[str, Mapping[str, frozenset[str]]]

    def allows(self, source: str, target: str, actor: str) -> bool:
        return actor in self.moves.get(source, {}).get(target, frozenset())

    def targets(self, source: str, actor: str | None = None) -> list[str]:
        """The statuses reachable from `source` (by `actor` when given), in table order."""
        return [
            target
            for target, actors in self.moves.get(source, {}).items()
            if actor is None or actor in actors
        ]

    def sources(self, target: str) -> frozenset[str]:
        return frozenset(source for source, targets in self.moves.items() if target in targets)
