"""Running transparency-dev/merkle's JSON probes (`testdata/inclusion`, `testdata/consistency`).

A probe passes when our verifier's verdict agrees with its `wantErr`. Hashes are base64 (Go's
encoding of []byte) and a null proof means an empty one.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.errors import LedgerError, ProofError
from ledger.verify import verify_consistency, verify_inclusion

KINDS = ("inclusion", "consistency")


@dataclass(frozen=True)
class ProbeResult:
    path: Path
    passed: bool
    detail: str


class VectorDirectoryError(LedgerError):
    """A directory that holds no probes where transparency-dev's layout puts them."""


def probe_files(directory: Path) -> list[Path]:
    """Every `*.json` under `inclusion/` and `consistency/` of `directory`, sorted.

    Raises VectorDirectoryError for a missing directory or one with neither folder or no probes.
    """
    if not directory.is_dir():
        raise VectorDirectoryError(f"{directory} is not a directory")
    roots = [directory / kind for kind in KINDS if (directory / kind).is_dir()]
    if not roots:
        raise VectorDirectoryError(
            f"{directory} has neither an inclusion/ nor a consistency/ folder of probes"
        )
    files = sorted(path for root in roots for path in root.rglob("*.json"))
    if not files:
        raise VectorDirectoryError(f"no *.json probes under {directory}")
    return files


def _hash(probe: dict[str, Any], name: str) -> bytes:
    value = probe[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a base64 string")
    return base64.b64decode(value, validate=True)


def _proof(probe: dict[str, Any]) -> list[bytes]:
    value = probe.get("proof")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("proof is not a list of base64 strings")
    return [base64.b64decode(item, validate=True) for item in value]


def _int(probe: dict[str, Any], name: str) -> int:
    value = probe[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} is not an integer")
    return value


def _verdict(probe: dict[str, Any]) -> ProofError | None:
    """The verifier's rejection of the probe, or None when it accepts it."""
    try:
        if "leafIdx" in probe:
            verify_inclusion(
                _int(probe, "leafIdx"),
                _int(probe, "treeSize"),
                _hash(probe, "leafHash"),
                _proof(probe),
                _hash(probe, "root"),
            )
        else:
            verify_consistency(
                _int(probe, "size1"),
                _int(probe, "size2"),
                _proof(probe),
                _hash(probe, "root1"),
                _hash(probe, "root2"),
            )
    except ProofError as error:
        return error
    return None


def run_probe(path: Path) -> ProbeResult:
    """Load one probe file and compare our verdict with its `wantErr`."""
    try:
        probe = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(probe, dict) or not ({"leafIdx", "size1"} & probe.keys()):
            raise ValueError("neither an inclusion nor a consistency probe")
        want_error = probe["wantErr"]
        if not isinstance(want_error, bool):
            raise ValueError("wantErr is not a boolean")
        rejection = _verdict(probe)
    except (OSError, ValueError, KeyError, binascii.Error) as error:
        reason = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        return ProbeResult(path, False, f"unreadable probe: {reason}")
    if want_error and rejection is not None:
        return ProbeResult(path, True, f"rejected as expected ({rejection.code}: {rejection})")
    if not want_error and rejection is None:
        return ProbeResult(path, True, "accepted as expected")
    if want_error:
        return ProbeResult(path, False, "accepted, but the probe must be rejected")
    assert rejection is not None
    return ProbeResult(path, False, f"rejected a valid proof ({rejection.code}: {rejection})")


def run_probes(directory: Path) -> Iterator[ProbeResult]:
    """Every probe under `directory`, in path order (see probe_files for the errors)."""
    for path in probe_files(directory):
        yield run_probe(path)
