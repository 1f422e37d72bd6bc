"""The trust page's figure builders: answers in, figure data and table rows out (no server)."""

from __future__ import annotations

from typing import Any

from dashboards import theme
from dashboards.figures import trust as figures
from dashboards.i18n import t

CERTIFICATES: dict[str, Any] = {
    "certificateStatistics": {
        "issued": 1204,
        "issuedToday": 7,
        "revoked": 3,
        "revokedToday": 1,
        "verified": 52,
        "verifiedToday": 5,
        "byKind": [
            {"key": "BUSINESS_REGISTRATION", "count": 700, "suppressed": False},
            {"key": "BUILDING_PERMIT", "count": 504, "suppressed": False},
            {"key": "EVENT_LICENCE", "count": None, "suppressed": True},
        ],
    }
}
PROCUREMENT: dict[str, Any] = {
    "procurementStatistics": {
        "inFlight": 5,
        "completed": 2,
        "medianCycleDays": 9.5,
        "manualBaselineDays": 23.0,
        "byState": [
            {"key": "DRAFT", "count": 2, "suppressed": False},
            {"key": "PAID", "count": 2, "suppressed": False},
        ],
    }
}
CONTRACTS: dict[str, Any] = {
    "contracts": [
        {
            "id": "PC-1",
            "title": "Smart pole LED retrofit",
            "department": "Information Policy",
            "state": "PUBLISHED",
            "cycleDays": 2.4,
            "createdAt": "2026-11-28T01:00:00+00:00",
        },
        {
            "id": "PC-2",
            "title": "Bridge strain gauges",
            "department": "Safety",
            "state": "AWARDED",
            "cycleDays": 33.1,
            "createdAt": "2026-10-28T01:00:00+00:00",
        },
    ]
}
CHECKPOINTS: dict[str, Any] = {
    "logCheckpoints": [
        {"treeSize": 66, "rootHash": "r66", "signedAt": "2026-11-30T03:18:42+00:00", "keyId": "k"},
        {"treeSize": 50, "rootHash": "r50", "signedAt": "2026-11-30T03:15:30+00:00", "keyId": "k"},
        {"treeSize": 1, "rootHash": "r1", "signedAt": "2026-11-29T15:00:00+00:00", "keyId": "k"},
    ]
}


def test_certificate_tiles_show_totals_and_today() -> None:
    tiles = {tile.id: tile.value for tile in figures.certificate_tiles(CERTIFICATES, "en")}
    assert tiles == {
        "certs-issued": "1,204",
        "certs-issued-today": "7",
        "certs-revoked": "3",
        "certs-revoked-today": "1",
        "certs-verified": "52",
        "certs-verified-today": "5",
    }


def test_tiles_of_failed_answers_read_a_dash() -> None:
    assert {tile.value for tile in figures.certificate_tiles(None, "ko")} == {"–"}
    assert {tile.value for tile in figures.procurement_tiles(None, "ko")} == {"–"}


def test_certificates_by_kind_names_kinds_and_never_draws_withheld_as_zero() -> None:
    figure, rows = figures.certificates_by_kind(CERTIFICATES, "ko")
    assert figure is not None
    withheld = t("panel.suppressed", "ko")
    assert figure["data"][0]["x"] == ["사업자 등록", "건축 허가", "행사 허가"]
    assert figure["data"][0]["text"] == ["700", "504", withheld]
    assert rows == [["사업자 등록", "700"], ["건축 허가", "504"], ["행사 허가", withheld]]


def test_certificates_by_kind_of_a_failed_answer_is_no_figure() -> None:
    assert figures.certificates_by_kind(None, "en") == (None, [])


def test_cycle_vs_baseline_is_a_bar_pair_with_days() -> None:
    figure, rows = figures.cycle_vs_baseline(PROCUREMENT, "en")
    assert figure is not None
    bars = figure["data"][0]
    assert bars["y"] == ["Smart contracts (median)", "Manual baseline"]
    assert bars["x"] == [9.5, 23.0]
    assert bars["text"] == ["9.5 days", "23.0 days"]
    assert rows[:2] == [["Smart contracts (median)", "9.5 days"], ["Manual baseline", "23.0 days"]]
    assert rows[2:] == [["Contracts by stage: Draft", "2"], ["Contracts by stage: Paid", "2"]]


def test_cycle_vs_baseline_without_paid_contracts_has_rows_but_no_figure() -> None:
    stats = {
        "procurementStatistics": PROCUREMENT["procurementStatistics"] | {"medianCycleDays": None}
    }
    figure, rows = figures.cycle_vs_baseline(stats, "en")
    assert figure is None
    assert rows[0] == ["Smart contracts (median)", "–"]


def test_contracts_in_flight_draw_days_with_the_baseline_line() -> None:
    # when contracts in flight are built against the 23-day baseline
    figure, rows = figures.contracts_in_flight(CONTRACTS, 23.0, "en")

    # then each is a bar of its days, the one past the baseline says so in text and colour
    assert figure is not None
    bars = figure["data"][0]
    assert bars["y"] == ["Smart pole LED retrofit", "Bridge strain gauges"]
    assert bars["x"] == [2.4, 33.1]
    assert bars["text"][0] == "2.4 days · Published"
    assert bars["text"][1] == "33.1 days · Awarded · past the baseline"
    assert bars["marker"]["color"] == [theme.CATEGORICAL[0], theme.CATEGORICAL[1]]
    line = figure["layout"]["shapes"][0]
    assert (line["x0"], line["x1"]) == (23.0, 23.0)
    assert rows[1] == [
        "Bridge strain gauges",
        "Awarded",
        "Safety",
        "33.1 days",
        "28 Oct 2026, 10:00",
    ]


def test_contracts_of_the_same_title_are_each_a_bar() -> None:
    # given two contracts in flight with one title (plotly draws equal names as one bar)
    twins = {
        "contracts": [
            {
                "id": "PC-2026-AAAAA",
                "title": "Office paper",
                "state": "PUBLISHED",
                "cycleDays": 0.4,
            },
            {
                "id": "PC-2026-BBBBB",
                "title": "Office paper",
                "state": "EVALUATED",
                "cycleDays": 6.2,
            },
            {"id": "PC-2026-CCCCC", "title": "Library books", "state": "BIDDING", "cycleDays": 4.2},
        ]
    }
    figure, rows = figures.contracts_in_flight(twins, 23.0, "en")
    assert figure is not None
    assert figure["data"][0]["y"] == [
        "Office paper · PC-2026-AAAAA",
        "Office paper · PC-2026-BBBBB",
        "Library books",
    ]
    assert [row[0] for row in rows] == figure["data"][0]["y"]


def test_contract_states_read_in_words_in_both_languages() -> None:
    for state in figures.CONTRACT_STATES:
        assert figures.state_word(state, "ko") != state
        assert figures.state_word(state, "en") != state
    assert "PAID" not in figures.IN_FLIGHT
    assert figures.state_word("SOMETHING_NEW", "en") == "SOMETHING_NEW"


def test_baseline_days_falls_back_to_23() -> None:
    assert figures.baseline_days(None) == 23.0
    assert figures.baseline_days({"procurementStatistics": {"manualBaselineDays": 20}}) == 20.0


def test_checkpoint_history_is_tree_size_over_seoul_time_oldest_first() -> None:
    figure, rows = figures.checkpoint_history(CHECKPOINTS, "en")
    assert figure is not None
    line = figure["data"][0]
    assert line["x"] == ["2026-11-30 00:00:00", "2026-11-30 12:15:30", "2026-11-30 12:18:42"]
    assert line["y"] == [1, 50, 66]
    assert line["line"]["shape"] == "hv"
    # the table keeps the API's order: newest first
    assert [row[1] for row in rows] == ["66", "50", "1"]
    assert rows[0] == ["30 Nov 2026, 12:18", "66", "r66", "k"]


def test_checkpoint_history_of_an_empty_log_is_no_figure() -> None:
    assert figures.checkpoint_history({"logCheckpoints": []}, "en") == (None, [])
    assert figures.checkpoint_history(None, "ko") == (None, [])


def test_days_read_as_each_language_writes_them() -> None:
    figure, _ = figures.cycle_vs_baseline(PROCUREMENT, "ko")
    assert figure is not None
    assert figure["data"][0]["text"] == ["9.5일", "23.0일"]
