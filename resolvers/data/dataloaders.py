"""Loaders of the data-catalogue domain."""

from __future__ import annotations

from graph.query import Hop
from resolvers.core.dataloaders import NeighborsByKeyLoader, NodeByKeyLoader


class DatasetByIdLoader(NodeByKeyLoader):
    label = "Dataset"


class DerivedFromByDatasetLoader(NeighborsByKeyLoader):
    hop = Hop("DERIVED_FROM", "Dataset", "Dataset")


class DatasetsByDepartmentLoader(NeighborsByKeyLoader):
    hop = Hop("PUBLISHES", "Department", "Dataset")


class DatasetsBySensorLoader(NeighborsByKeyLoader):
    hop = Hop("MEASURES", "Sensor", "Dataset")
