"""Leaf inputs: canonical JSON that anyone holding the same facts reproduces byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ledger.entries import Entry, EntryError


def test_an_entry_encodes_as_sorted_compact_utf8_json() -> None:
    entry = Entry("certificate.issued", "cert-1", {"z": True, "a": "강남구", "n": [1, None]})
    encoded = entry.encode()
    assert (
        encoded
        == (
            '{"body":{"a":"강남구","n":[1,null],"z":true},"kind":"certificate.issued",'
            '"subject":"cert-1"}'
        ).encode()
    )
    standard = json.dumps(
        {"body": dict(entry.body), "kind": entry.kind, "subject": entry.subject},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert encoded == standard.encode()
    assert Entry.decode(encoded) == entry


@pytest.mark.parametrize(
    ("body", "kind", "subject"),
    [
        ({"price": 1.5}, "k", "s"),
        ({"nested": [{"ratio": 0.1}]}, "k", "s"),
        ({"huge": 2**70}, "k", "s"),
        ({"when": object()}, "k", "s"),
        ({}, "", "s"),
        ({}, "k", ""),
        ({}, "k" * 65, "s"),
        ({}, "k", "s" * 129),
    ],
    ids=[
        "float",
        "nested-float",
        "beyond-64-bits",
        "object",
        "no-kind",
        "no-subject",
        "long-kind",
        "long-subject",
    ],
)
def test_an_entry_that_cannot_be_canonical_is_refused(
    body: dict[str, Any], kind: str, subject: str
) -> None:
    with pytest.raises(EntryError):
        Entry(kind, subject, body).encode()


@pytest.mark.parametrize(
    "leaf",
    [
        b"\xff",
        b"[1]",
        b'{"body":{},"kind":"k"}',
        b'{"body":{},"kind":"k","subject":"s"} ',
        b'{"kind":"k","body":{},"subject":"s"}',
        b'{"body":{},"kind":"k","subject":"s","extra":1}',
    ],
    ids=["not-utf8", "not-an-object", "missing-field", "trailing-space", "unsorted", "extra"],
)
def test_a_leaf_that_is_not_ours_is_refused(leaf: bytes) -> None:
    with pytest.raises(EntryError):
        Entry.decode(leaf)
