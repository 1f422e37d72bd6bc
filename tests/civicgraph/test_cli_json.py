"""The CLI's JSON documents (certificate documents, presentations, requests): text the stores
cannot hold is refused in one line, exit 1, before anything is sent or stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.cli import app
from tests.civicgraph.runner import BoundaryRunner, assert_refused

runner = BoundaryRunner()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"keyId": "resident-2026-11", "nonce": "a\\u0000b"}', "NUL character (U+0000) at nonce"),
        ('{"keyId": ["\\ud800"]}', "no low surrogate"),
        ('{"keyId": ' * 100_000 + "1" + "}" * 100_000, "cannot read"),  # past any limit
        ("not json", "cannot read"),
        ('{"n": ' + "9" * 5000 + "}", "cannot read"),
        ('{"n": NaN}', "cannot read"),
    ],
    ids=["nul", "surrogate", "too-deep", "not-json", "huge-integer", "nan"],
)
def test_a_json_document_the_stores_cannot_hold_is_one_line(
    tmp_path: Path, text: str, words: str
) -> None:
    document = tmp_path / "presentation.json"
    document.write_text(text, encoding="utf-8")
    result = runner.invoke(
        app, ["wallet", "verify", str(document), "--server", "http://127.0.0.1:9", "--api-key", "k"]
    )
    assert_refused(result)
    assert words in result.stderr
