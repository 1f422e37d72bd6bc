"""Both curve backends: every fixture test runs on each."""

from __future__ import annotations

import pytest

from civicgraph.settings import Settings
from civicgraph.stores import Stores, open_issuer_keys, open_log
from ledger.log import Log
from zk.bbs.curves.arkworks import ArkworksCurve
from zk.bbs.curves.pyecc import PyEccCurve
from zk.bbs.suites import Ciphersuite, sha256_suite
from zk.credentials.issuer_keys import IssuerKeyring

SUITES = {"arkworks": sha256_suite(ArkworksCurve()), "py-ecc": sha256_suite(PyEccCurve())}


@pytest.fixture(params=list(SUITES))
def suite(request: pytest.FixtureRequest) -> Ciphersuite:
    """The SHA-256 ciphersuite on each backend."""
    return SUITES[request.param]


@pytest.fixture
async def log(settings: Settings, stores: Stores) -> Log:
    """The city's verifiable log in the session's records."""
    return await open_log(settings, stores.records)


@pytest.fixture
async def keyring(settings: Settings, stores: Stores) -> IssuerKeyring:
    """The city's credential issuer keys (the app's folder, so cases agree on each month)."""
    return await open_issuer_keys(settings, stores.records)
