"""Loaders of the services domain: cases, departments and case events."""

from __future__ import annotations

from collections.abc import Sequence

from graph.query import Hop
from graph.records.case_events import CaseEventRow, events_by_case
from resolvers.core.dataloaders import ContextLoader, NeighborsByKeyLoader, NodeByKeyLoader


class CaseByIdLoader(NodeByKeyLoader):
    label = "Case"


class DepartmentByIdLoader(NodeByKeyLoader):
    label = "Department"


class DepartmentByCaseLoader(NeighborsByKeyLoader):
    hop = Hop("ASSIGNED_TO", "Case", "Department")


class AssetByCaseLoader(NeighborsByKeyLoader):
    hop = Hop("CONCERNS", "Case", "Asset")


class FilerByCaseLoader(NeighborsByKeyLoader):
    hop = Hop("FILED", "Case", "Citizen", direction="in")


class EventsByCaseLoader(ContextLoader[str, list[CaseEventRow]]):
    async def batch_load(self, keys: list[str]) -> Sequence[list[CaseEventRow]]:
        found = await events_by_case(self.context.records, keys)
        return [found[k] for k in keys]
