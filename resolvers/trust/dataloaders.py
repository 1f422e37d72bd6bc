"""DataLoaders of the trust domain: certificates and contracts by id, log leaves by index.

Each batch is one records call, so `_entities` with many representations, or a list of
certificates with their log leaves, costs what one of them costs.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.records.certificates import CertificateRow, find_certificates
from graph.records.log_tree import EntryRow, entries_at
from graph.records.procurement import ContractRow, find_contracts
from resolvers.core.dataloaders import ContextLoader


class CertificateByIdLoader(ContextLoader[str, CertificateRow | None]):
    """Certificates by id; None for an id that names none."""

    async def batch_load(self, keys: list[str]) -> Sequence[CertificateRow | None]:
        found = await find_certificates(self.context.records, keys)
        return [found.get(key) for key in keys]


class ContractByIdLoader(ContextLoader[str, ContractRow | None]):
    """Procurement contracts by id; None for an id that names none."""

    async def batch_load(self, keys: list[str]) -> Sequence[ContractRow | None]:
        found = await find_contracts(self.context.records, keys)
        return [found.get(key) for key in keys]


class LogEntryByIndexLoader(ContextLoader[int, EntryRow | None]):
    """Leaves of the verifiable log by index (from 0); None past the log's end."""

    async def batch_load(self, keys: list[int]) -> Sequence[EntryRow | None]:
        found = await entries_at(self.context.records, keys)
        return [found.get(key) for key in keys]
