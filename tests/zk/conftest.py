"""Both curve backends: every fixture test runs on each."""

from __future__ import annotations

import pytest

from zk.bbs.curves.arkworks import ArkworksCurve
from zk.bbs.curves.pyecc import PyEccCurve
from zk.bbs.suites import Ciphersuite, sha256_suite

SUITES = {"arkworks": sha256_suite(ArkworksCurve()), "py-ecc": sha256_suite(PyEccCurve())}


@pytest.fixture(params=list(SUITES))
def suite(request: pytest.FixtureRequest) -> Ciphersuite:
    """The SHA-256 ciphersuite on each backend."""
    return SUITES[request.param]
