"""The polls page's figure builders: answers in, figure data and table rows out (no server)."""

from __future__ import annotations

import shlex
from typing import Any

import pytest

from dashboards import theme
from dashboards.figures import polls as figures
from dashboards.i18n import t

LISTING: dict[str, Any] = {
    "open": [
        {
            "id": "poll-a",
            "question": "Open the Gangnam library on Sundays?",
            "state": "OPEN",
            "closesAt": "2026-12-07T03:00:00+00:00",
            "totalBallots": 48,
            "eligibility": {"districts": ["11680"]},
        },
        {
            "id": "poll-b",
            "question": "Extend night buses?",
            "state": "OPEN",
            "closesAt": "2026-12-10T03:00:00+00:00",
            "totalBallots": 0,
            "eligibility": {"districts": []},
        },
    ],
    "closed": [
        {
            "id": "poll-c",
            "question": "Name the Mapo library",
            "state": "CLOSED",
            "closesAt": "2026-11-28T03:00:00+00:00",
            "totalBallots": 7,
            "eligibility": {"districts": ["11440"]},
        }
    ],
}
POLL: dict[str, Any] = {
    "id": "poll-a",
    "totalBallots": 48,
    "tally": [
        {"option": "yes", "ballots": 30},
        {"option": "no", "ballots": 18},
    ],
    "turnout": [
        {"district": "11440", "ballots": None, "suppressed": True},
        {"district": "11680", "ballots": 45, "suppressed": False},
    ],
}
NAMES = {"11440": "Mapo-gu", "11680": "Gangnam-gu"}
HEAD: dict[str, Any] = {
    "origin": "civicgraph.seoul.example/log",
    "treeSize": 66,
    "rootHash": "wLZLmIK2MP9ElmTIQM4GZOOHqO2Li9n2yIwhLar2uWs=",
    "signedAt": "2026-11-30T03:18:42+00:00",
    "keyId": "143ab94e",
    "verifierKey": "civicgraph.seoul.example/log+143ab94e+AfqpScwSzSIcQYs=",
}


def test_choices_lists_open_then_closed_polls() -> None:
    # when all of Seoul is shown, then every poll is offered, open ones first
    offered = figures.choices(LISTING, None)
    assert [c.id for c in offered] == ["poll-a", "poll-b", "poll-c"]
    assert [c.state for c in offered] == ["OPEN", "OPEN", "CLOSED"]


@pytest.mark.parametrize(
    ("gu", "expected"),
    [
        pytest.param("11680", ["poll-a", "poll-b"], id="gangnam-own-and-citywide"),
        pytest.param("11440", ["poll-b", "poll-c"], id="mapo-citywide-and-own"),
        pytest.param("11110", ["poll-b"], id="jongno-citywide-only"),
    ],
)
def test_choices_with_a_gu_keeps_polls_its_residents_may_vote_in(
    gu: str, expected: list[str]
) -> None:
    assert [c.id for c in figures.choices(LISTING, gu)] == expected


def test_choices_of_a_failed_listing_is_empty() -> None:
    assert figures.choices(None, None) == []
    assert figures.choices({"open": None, "closed": None}, "11680") == []


def test_pick_takes_the_wanted_poll_else_the_first() -> None:
    offered = figures.choices(LISTING, None)
    assert figures.pick(offered, "poll-c") == offered[2]
    assert figures.pick(offered, "poll-unknown") == offered[0]
    assert figures.pick(offered, None) == offered[0]
    assert figures.pick([], "poll-a") is None


def test_tally_draws_a_bar_per_option_with_count_and_share() -> None:
    # when the tally is built, then each option is a bar labelled with its count and share
    figure, rows = figures.tally(POLL, "en")
    assert figure is not None
    bars = figure["data"][0]
    assert bars["y"] == ["yes", "no"]
    assert bars["x"] == [30, 18]
    assert bars["text"] == ["30 (62.5%)", "18 (37.5%)"]
    assert figure["layout"]["xaxis"]["tickformat"] == ",d"  # ballots: whole numbers
    assert rows == [
        ["yes", "30", "62.5%"],
        ["no", "18", "37.5%"],
        ["Total ballots", "48", "100.0%"],
    ]


def test_tally_of_a_poll_without_ballots_is_a_table_without_shares() -> None:
    # given a poll before its first ballot, when the tally is built
    poll = {"totalBallots": 0, "tally": [{"option": "yes", "ballots": 0}]}
    figure, rows = figures.tally(poll, "ko")

    # then no empty chart is drawn, and the table says 0 with no share
    assert figure is None
    assert rows[0] == ["yes", "0", "–"]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("OPEN", "Ballots per option (live)"),
        ("CLOSED", "Ballots per option (final)"),
        (None, "Ballots per option"),
    ],
)
def test_tally_title_says_live_or_final(state: str | None, expected: str) -> None:
    assert figures.tally_title({"state": state}, "en") == expected


def test_tally_of_a_failed_answer_is_no_figure() -> None:
    assert figures.tally(None, "en") == (None, [])


def test_turnout_draws_a_withheld_cell_as_withheld_never_zero() -> None:
    # given a gu whose cell the API withheld, when turnout is built
    figure, rows = figures.turnout(POLL, NAMES, None, "ko")

    # then the cell is labelled withheld in the chart and the table, and drawn without a bar
    assert figure is not None
    bars = figure["data"][0]
    withheld = t("panel.suppressed", "ko")
    assert bars["text"] == [withheld, "45"]
    assert bars["y"] == [0, 45]
    assert rows == [["Mapo-gu", withheld], ["Gangnam-gu", "45"]]
    assert "0" not in [row[1] for row in rows]


def test_turnout_marks_the_drilled_gu_in_text_and_colour() -> None:
    figure, rows = figures.turnout(POLL, NAMES, "11680", "en")
    assert figure is not None
    bars = figure["data"][0]
    assert bars["x"][1] == "Gangnam-gu (selected gu)"
    assert bars["marker"]["color"] == [theme.CATEGORICAL[0], theme.CATEGORICAL[1]]
    assert rows[1][0] == "Gangnam-gu (selected gu)"


def test_turnout_without_ballots_is_no_figure() -> None:
    assert figures.turnout({"turnout": []}, NAMES, None, "en") == (None, [])
    assert figures.turnout(None, NAMES, "11680", "en") == (None, [])


def test_log_facts_count_the_poll_leaves_and_show_the_signed_head() -> None:
    facts = dict((row[0], row[1]) for row in figures.log_facts(POLL, HEAD, "en"))
    assert facts["This poll's log leaves"].startswith("49 ")  # 1 definition + 48 ballots
    assert facts["Log size (signed head)"] == "66"
    assert facts["Root hash"] == HEAD["rootHash"]
    assert facts["Signed at"] == "30 Nov 2026, 12:18"  # Asia/Seoul
    assert facts["Signing key id"] == "143ab94e"


def test_log_facts_of_failed_answers_read_a_dash() -> None:
    facts = figures.log_facts(None, None, "ko")
    assert {row[1] for row in facts} == {"–"}


def test_verify_command_names_the_poll_and_the_log_key() -> None:
    command = figures.verify_command("poll-a", HEAD["verifierKey"])
    assert shlex.split(command) == [
        "civicgraph",
        "poll",
        "verify",
        "poll-a",
        "--key",
        HEAD["verifierKey"],
    ]
    assert figures.verify_command("poll-a", None) == "civicgraph poll verify poll-a"


def test_verify_command_quotes_what_the_shell_would_split() -> None:
    command = figures.verify_command("poll-a; rm -rf /", "a key")
    assert shlex.split(command)[3:] == ["poll-a; rm -rf /", "--key", "a key"]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_choice_text_reads_state_ballots_and_closing(lang: Any) -> None:
    choice = figures.choices(LISTING, None)[2]
    text = figures.choice_text(choice, lang)
    assert text.startswith("Name the Mapo library · ")
    assert figures.state_word("CLOSED", lang) in text
    assert "7" in text
