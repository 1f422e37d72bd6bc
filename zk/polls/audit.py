"""Re-tallying a poll from the verifiable log and the published keys alone.

Nothing the city's poll or ballot tables say is trusted. The auditor:
1. opens the signed tree head with the log's verifier key;
2. re-hashes every leaf up to that head, checking each stored leaf hash and subtree hash on
   the way (a changed leaf is named) and that the leaves fold to the signed root;
3. reads the poll's definition (`poll.created`), the issuer key of its month (`issuer.key`)
   and every ballot (`poll.ballot`) from those leaves;
4. checks each ballot (option, month, disclosure, eligibility), its proof, and that its
   pseudonym is new (a repeated one is named and not counted);
5. counts.

Proofs are checked on all cores. Each worker checks every proof's challenge and folds the
pairing equations of those that pass into one, with random weights it draws itself; the
parent checks the combined equation once. If that fails, every proof is checked alone so
that the bad ones are named.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from graph.records import Records
from graph.records.log_tree import current_head, entries_between
from ledger.checkpoint import Verifier, open_checkpoint
from ledger.entries import Entry, EntryError
from ledger.errors import CheckpointError
from ledger.log import push_leaves
from ledger.proof import fold
from zk.bbs.curves import Backend, R, curve_for
from zk.bbs.proofs import batch_pairing_check
from zk.bbs.pseudonyms import NymVerifier
from zk.bbs.suites import Ciphersuite, sha256_suite
from zk.credentials.attributes import NYM_COUNT, ORDER, encode_value, header, indexes
from zk.credentials.epochs import Epoch
from zk.credentials.issuer_keys import ISSUER_KEY
from zk.polls.ballots import check_shape
from zk.polls.errors import PollRefusal
from zk.polls.model import BALLOT, POLL_CREATED, Ballot, Poll, ballot_header

READ_CHUNK = 20_000
PROOF_CHUNK = 2_000

Progress = Callable[[str, int, int], None]
"""(stage, done, total): called as the audit goes."""


@dataclass(frozen=True)
class Finding:
    leaf_index: int | None
    problem: str


@dataclass
class Audit:
    poll_id: str
    tree_size: int = 0
    poll: Poll | None = None
    counts: list[int] = field(default_factory=list)
    ballots_seen: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.poll is not None and not self.findings

    @property
    def counted(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class _Work:
    """One ballot as the proof workers need it (picklable, no points)."""

    leaf_index: int
    proof: bytes
    ph: bytes
    pseudonym: bytes
    disclosed: tuple[bytes, ...]
    indexes: tuple[int, ...]


@dataclass(frozen=True)
class _Shape:
    """What every worker prepares once: the key, header, context and backend."""

    backend: Backend
    public_key: bytes
    header: bytes
    context_id: bytes


def _suite(backend: Backend) -> Ciphersuite:
    return sha256_suite(curve_for(backend))


def _verifier(shape: _Shape) -> NymVerifier:
    return NymVerifier(
        _suite(shape.backend),
        shape.public_key,
        shape.header,
        shape.context_id,
        NYM_COUNT,
        len(ORDER),
    )


def check_chunk(shape: _Shape, chunk: Sequence[_Work]) -> tuple[list[int], bytes, bytes]:
    """In a worker: the leaves whose proofs fail their challenge, and Σρ·Abar, Σρ·Bbar of the
    others (compressed), with fresh random weights ρ."""
    verifier = _verifier(shape)
    suite = verifier.suite
    curve = suite.curve
    failed: list[int] = []
    pairs: list[tuple[Any, Any]] = []

    def defer(abar: Any, bbar: Any) -> None:
        pairs.append((abar, bbar))

    for work in chunk:
        scalars = suite.messages_to_scalars(list(work.disclosed), verifier.api_id)
        if not verifier.verify(work.proof, work.ph, work.pseudonym, scalars, work.indexes, defer):
            failed.append(work.leaf_index)
    if not pairs:
        identity = curve.g1_to_bytes(curve.g1_identity())
        return failed, identity, identity
    weights = [secrets.randbelow(R - 1) + 1 for _ in pairs]
    abar = curve.g1_multiexp([a for a, _ in pairs], weights)
    bbar = curve.g1_multiexp([b for _, b in pairs], weights)
    return failed, curve.g1_to_bytes(abar), curve.g1_to_bytes(bbar)


def check_each(shape: _Shape, chunk: Sequence[_Work]) -> list[int]:
    """In a worker: the leaves whose proofs fail on their own (pairing included)."""
    verifier = _verifier(shape)
    suite = verifier.suite
    return [
        work.leaf_index
        for work in chunk
        if not verifier.verify(
            work.proof,
            work.ph,
            work.pseudonym,
            suite.messages_to_scalars(list(work.disclosed), verifier.api_id),
            work.indexes,
        )
    ]


def _map(
    function: Callable[[_Shape, Sequence[_Work]], Any],
    shape: _Shape,
    chunks: Sequence[Sequence[_Work]],
    workers: int,
    progress: Progress | None,
    stage: str,
) -> list[Any]:
    """`function` over the chunks, on `workers` processes (in this one when 1)."""
    total = sum(len(c) for c in chunks)
    done = 0
    results = []
    if workers <= 1:
        for chunk in chunks:
            results.append(function(shape, chunk))
            done += len(chunk)
            if progress:
                progress(stage, done, total)
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(function, shape, chunk) for chunk in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            results.append(future.result())
            done += len(chunk)
            if progress:
                progress(stage, done, total)
    return results


async def _rehash(
    records: Records, size: int, root: bytes, audit: Audit, progress: Progress | None
) -> list[Entry | None]:
    """Every leaf below `size`, re-hashed against the stored hashes and the signed root; the
    decoded entries (None where a leaf is not one of ours)."""
    stack: list[tuple[int, bytes]] = []
    entries: list[Entry | None] = []
    for start in range(0, size, READ_CHUNK):
        rows = await entries_between(records, start, min(size, start + READ_CHUNK))
        expected = start
        for row in rows:
            if row.leaf_index != expected:
                audit.findings.append(Finding(expected, "the leaf is missing from the log"))
                return entries
            expected += 1
        for row, (leaf_hash, closed) in zip(
            rows, push_leaves(stack, [row.leaf_input for row in rows]), strict=True
        ):
            if leaf_hash != row.leaf_hash:
                audit.findings.append(Finding(row.leaf_index, "the leaf's bytes were changed"))
            elif closed != row.subtree_hashes:
                audit.findings.append(
                    Finding(row.leaf_index, "a subtree ending at this leaf was changed")
                )
            try:
                entries.append(Entry.decode(row.leaf_input))
            except EntryError:
                entries.append(None)
        if progress:
            progress("re-hashing the log", len(entries), size)
    if len(entries) != size:
        audit.findings.append(Finding(len(entries), "the log ends before the signed head"))
    elif fold([value for _, value in stack]) != root:
        audit.findings.append(Finding(None, "the leaves do not hash to the signed tree head"))
    return entries


def _poll_and_key(
    poll_id: str, entries: Sequence[Entry | None], audit: Audit
) -> tuple[Poll, bytes] | None:
    definition = next(
        (e for e in entries if e and e.kind == POLL_CREATED and e.subject == poll_id), None
    )
    if definition is None:
        audit.findings.append(Finding(None, f"no {POLL_CREATED} leaf for {poll_id}"))
        return None
    try:
        poll = Poll.from_definition(poll_id, definition.body)
    except PollRefusal as error:
        audit.findings.append(Finding(None, f"the poll's definition is unreadable: {error}"))
        return None
    audit.poll = poll
    audit.counts = [0] * len(poll.options)
    key_id = Epoch.parse(poll.epoch).key_id
    published = next(
        (e for e in entries if e and e.kind == ISSUER_KEY and e.subject == key_id), None
    )
    if published is None:
        audit.findings.append(Finding(None, f"no {ISSUER_KEY} leaf for {key_id}"))
        return None
    try:
        return poll, base64.b64decode(str(published.body["public_key"]), validate=True)
    except (KeyError, ValueError):
        audit.findings.append(Finding(None, f"the {key_id} leaf holds no public key"))
        return None


def _ballot_work(
    poll: Poll, entries: Sequence[Entry | None], audit: Audit
) -> tuple[list[_Work], dict[int, Ballot]]:
    """Ballots that pass the cheap checks, as proof work; the others named."""
    works: list[_Work] = []
    ballots: dict[int, Ballot] = {}
    shown = poll.eligibility.disclosed()
    order = [name for name in ORDER if name in shown]
    for index, entry in enumerate(entries):
        if entry is None or entry.kind != BALLOT or entry.subject != poll.poll_id:
            continue
        audit.ballots_seen += 1
        try:
            ballot = Ballot.from_json(entry.body)
            check_shape(poll, ballot)
        except PollRefusal as error:
            audit.findings.append(Finding(index, f"not a valid ballot: {error}"))
            continue
        ballots[index] = ballot
        works.append(
            _Work(
                index,
                ballot.proof,
                ballot_header(poll.poll_id, ballot.option),
                ballot.pseudonym,
                tuple(encode_value(name, ballot.disclosed[name]) for name in order),
                tuple(indexes(order)),
            )
        )
    return works, ballots


async def audit_poll(
    records: Records,
    log_verifier: Verifier,
    poll_id: str,
    *,
    backend: Backend = Backend.ARKWORKS,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Audit:
    """Re-tally `poll_id` from the log in `records` up to its current signed head."""
    audit = Audit(poll_id)
    head = await current_head(records)
    if head is None:
        audit.findings.append(Finding(None, "the log is empty"))
        return audit
    try:
        checkpoint = open_checkpoint(head.checkpoint, log_verifier)
    except CheckpointError as error:
        audit.findings.append(Finding(None, f"the signed tree head does not verify: {error}"))
        return audit
    audit.tree_size = checkpoint.size
    entries = await _rehash(records, checkpoint.size, checkpoint.root, audit, progress)
    found = _poll_and_key(poll_id, entries, audit)
    if found is None:
        return audit
    poll, public_key = found
    works, ballots = _ballot_work(poll, entries, audit)
    shape = _Shape(backend, public_key, header(Epoch.parse(poll.epoch).key_id), poll.context_id)
    cores = workers or min(2, os.cpu_count() or 1)
    chunks = [works[i : i + PROOF_CHUNK] for i in range(0, len(works), PROOF_CHUNK)]
    results = _map(check_chunk, shape, chunks, cores, progress, "checking ballot proofs")
    failed = {index for bad, _, _ in results for index in bad}
    suite = _suite(backend)
    curve = suite.curve
    # the workers' sums are already weighted with their own random ρ: add them up as they are
    sums = [(curve.g1_from_bytes(a), curve.g1_from_bytes(b)) for _, a, b in results]
    if sums and not batch_pairing_check(suite, public_key, sums, [1] * len(sums)):
        rest = [[w for w in chunk if w.leaf_index not in failed] for chunk in chunks]
        again = _map(check_each, shape, rest, cores, progress, "naming the bad proofs")
        failed |= {index for bad in again for index in bad}
    for index in sorted(failed):
        audit.findings.append(Finding(index, "the ballot's proof does not verify"))
    seen: set[bytes] = set()
    for index in sorted(ballots):
        if index in failed:
            continue
        ballot = ballots[index]
        if ballot.pseudonym in seen:
            audit.findings.append(Finding(index, "a second ballot of the same credential"))
            continue
        seen.add(ballot.pseudonym)
        audit.counts[poll.options.index(ballot.option)] += 1
    return audit
