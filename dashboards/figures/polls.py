"""The polls page's figures: the poll picker's choices, a poll's live tally and turnout by gu,
its place in the verifiable log and the command that re-tallies it from the log alone.

Inputs are the `data` of the page's sources (dashboards/pages/polls.py), any of which may be
None (a refused or failed source): figures are then None with no rows, and facts read "–".
Text is in the reader's language.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboards import theme
from dashboards.figures.answers import Data, get, rows_at
from dashboards.figures.counts import count_text
from dashboards.i18n import Lang, in_lang, number, when

Figure = dict[str, Any]

LABELS: dict[str, tuple[str, str]] = {
    "title": ("주민 투표", "Resident polls"),
    "picker": ("투표 선택", "Choose a poll"),
    "open": ("진행 중", "open"),
    "closed": ("마감", "closed"),
    "upcoming": ("예정", "upcoming"),
    "none": ("진행 중이거나 최근 마감된 투표가 없습니다.", "No open or recently closed polls."),
    "none_gu": (
        "이 자치구 주민이 참여할 수 있는 진행 중이거나 최근 마감된 투표가 없습니다.",
        "No open or recently closed poll that this gu's residents may vote in.",
    ),
    "ballots": ("투표 수", "Ballots"),
    "n_ballots": ("투표 {n}표", "{n} ballots"),
    "total": ("총 투표 수", "Total ballots"),
    "share": ("비율", "Share"),
    "option": ("선택지", "Option"),
    "tally": ("선택지별 득표", "Ballots per option"),
    "tally_open": ("선택지별 득표 (실시간)", "Ballots per option (live)"),
    "tally_closed": ("선택지별 득표 (최종)", "Ballots per option (final)"),
    "turnout": ("자치구별 투표 참여", "Turnout by gu"),
    "turnout_note": (
        "투표자의 자치구 기준. 5명 미만인 칸은 분석가 미만 등급에 비공개입니다.",
        "By the voter's gu. Cells under 5 are withheld below the analyst tier.",
    ),
    "selected": ("선택한 자치구", "selected gu"),
    "window": ("투표 기간", "Voting period"),
    "state": ("상태", "State"),
    "log": ("검증 로그의 이 투표", "This poll in the verifiable log"),
    "log_table": (
        "이 투표의 항목과 서명된 트리 헤드",
        "The poll's leaves and the signed tree head",
    ),
    "poll_leaves": ("이 투표의 로그 항목", "This poll's log leaves"),
    "poll_leaves_note": (
        "투표 정의 1개 + 투표마다 1개",
        "1 poll definition + 1 per ballot",
    ),
    "tree_size": ("로그 전체 크기 (서명된 헤드)", "Log size (signed head)"),
    "root_hash": ("루트 해시", "Root hash"),
    "signed_at": ("서명 시각", "Signed at"),
    "origin": ("로그 이름", "Log origin"),
    "key_id": ("서명 키 ID", "Signing key id"),
    "checkpoint": ("서명된 체크포인트 (C2SP 형식)", "Signed checkpoint (C2SP note)"),
    "retally": ("누구나 다시 집계하는 방법", "How anyone re-tallies it"),
    "retally_text": (
        "모든 투표는 서울시의 RFC 9162 검증 가능 로그에 항목(leaf)으로 기록되며, 투표의 정의와 "
        "그 달의 발급자 키도 로그 항목입니다. 로그 사본(기록 데이터베이스 또는 복제본: "
        "CIVIC_DATA_DIR 또는 CIVIC_DB_URL)과 아래 검증 키만 있으면 누구나 이 명령을 실행할 수 "
        "있습니다. 명령은 로그의 모든 항목을 다시 읽어 서명된 트리 헤드의 루트와 맞는지 "
        "확인하고, 각 투표의 증명과 중복되지 않는 가명을 검증한 뒤 다시 셉니다. 결과가 "
        "일치하면 종료 코드 0, 문제가 있으면 해당 항목 번호를 밝히고 종료 코드 1을 냅니다.",
        "Every ballot is a leaf of the city's RFC 9162 verifiable log, and so are the poll's "
        "definition and the issuer key of its month. With a copy of the log (the records "
        "database or a replica: CIVIC_DATA_DIR or CIVIC_DB_URL) and the verifier key below, "
        "anyone can run this command: it re-reads every leaf and checks that they fold to the "
        "signed tree head's root, verifies each ballot's proof and that no pseudonym repeats, "
        "and counts again. It exits 0 when all holds, and 1 naming every leaf that does not.",
    ),
    "command": ("재집계 명령", "Re-tally command"),
}
STATES = ("open", "closed", "upcoming")


def label(key: str, lang: Lang) -> str:
    """The polls page's label `key` in `lang` (KeyError for an unknown key)."""
    return in_lang(LABELS[key], lang)


def state_word(state: Any, lang: Lang) -> str:
    """OPEN / CLOSED / UPCOMING in words; "–" for anything else."""
    key = str(state).lower()
    return label(key, lang) if key in STATES else "–"


@dataclass(frozen=True)
class Choice:
    """One poll the picker offers."""

    id: str
    question: str
    state: str
    total_ballots: int | None
    closes_at: str | None


def _open_to(poll: Mapping[str, Any], gu: str | None) -> bool:
    """Whether residents of `gu` may vote in `poll` (no gu, or a poll open to all Seoul)."""
    if gu is None:
        return True
    districts = get(poll, "eligibility", "districts")
    return not districts or gu in districts


def choices(listing: Data, gu: str | None) -> list[Choice]:
    """The open polls, then the recently closed ones, as the listing's `open` and `closed`
    aliases give them (newest first); with `gu`, only polls its residents may vote in."""
    found: list[Choice] = []
    for alias in ("open", "closed"):
        for poll in rows_at(listing, alias):
            if "id" not in poll or not _open_to(poll, gu):
                continue
            found.append(
                Choice(
                    id=str(poll["id"]),
                    question=str(poll.get("question") or poll["id"]),
                    state=str(poll.get("state") or alias.upper()),
                    total_ballots=poll.get("totalBallots"),
                    closes_at=poll.get("closesAt"),
                )
            )
    return found


def pick(offered: Sequence[Choice], wanted: str | None) -> Choice | None:
    """The poll `wanted` names if offered, else the first offered (None: nothing offered)."""
    for choice in offered:
        if choice.id == wanted:
            return choice
    return offered[0] if offered else None


def choice_text(choice: Choice, lang: Lang) -> str:
    """The picker's line for a poll: question, state, ballots and closing time."""
    ballots = label("n_ballots", lang).format(n=number(choice.total_ballots, lang))
    closes = when(choice.closes_at, lang)
    return f"{choice.question} · {state_word(choice.state, lang)} · {ballots} · {closes}"


def _share(part: int | None, whole: int | None, lang: Lang) -> str:
    if part is None or not whole:
        return "–"
    return f"{number(100 * part / whole, lang, digits=1)}%"


def tally(poll: Data, lang: Lang) -> tuple[Figure | None, list[list[str]]]:
    """Horizontal bars of ballots per option, in the poll's order from the top, each bar
    labelled with its count and share; rows `[option, ballots, share]` and the total. `poll`
    is the `poll` object of the detail source. No figure (rows only) before the first ballot."""
    counts = rows_at(poll, "tally")
    if not counts:
        return None, []
    total = get(poll, "totalBallots")
    options = [str(c.get("option")) for c in counts]
    ballots = [c.get("ballots") for c in counts]
    texts = [f"{number(b, lang)} ({_share(b, total, lang)})" for b in ballots]
    figure: Figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": options,
                "x": [b or 0 for b in ballots],
                "text": texts,
                "textposition": "auto",
                "marker": {"color": [theme.CATEGORICAL[i % 6] for i in range(len(options))]},
                "hovertemplate": "%{y}: %{x}<extra></extra>",
            }
        ],
        "layout": theme.layout(
            yaxis={"autorange": "reversed", "automargin": True, "gridcolor": theme.GRID},
            xaxis=theme.count_axis(ballots, title={"text": label("ballots", lang)}),
            height=max(200, 70 + 48 * len(options)),
            showlegend=False,
        ),
    }
    rows = [
        [option, number(b, lang), _share(b, total, lang)]
        for option, b in zip(options, ballots, strict=True)
    ]
    rows.append([label("total", lang), number(total, lang), _share(total, total, lang)])
    return (figure if any(ballots) else None), rows


def tally_title(poll: Data, lang: Lang) -> str:
    """The tally's heading: live while the poll is open, final once it is closed."""
    state = str(get(poll, "state") or "").lower()
    return label({"open": "tally_open", "closed": "tally_closed"}.get(state, "tally"), lang)


def turnout(
    poll: Data, names: Mapping[str, str], gu: str | None, lang: Lang
) -> tuple[Figure | None, list[list[str]]]:
    """Bars of ballots per voter's gu and rows `[gu, ballots]`. A withheld cell is drawn as
    no bar with the withheld mark as its label (never as 0); the drilled-into `gu` is drawn
    in a second colour and named "selected" in its label, so colour is never alone."""
    cells = rows_at(poll, "turnout")
    if not cells:
        return None, []
    marked = f" ({label('selected', lang)})"
    x = [
        names.get(str(c.get("district")), str(c.get("district")))
        + (marked if c.get("district") == gu else "")
        for c in cells
    ]
    values = [None if c.get("suppressed") else c.get("ballots") for c in cells]
    figure: Figure = {
        "data": [
            {
                "type": "bar",
                "x": x,
                "y": [v or 0 for v in values],
                "text": [count_text(v, lang) for v in values],
                "textposition": "outside",
                "cliponaxis": False,
                "width": 0.8 if len(cells) > 4 else 0.3,
                "marker": {
                    "color": [
                        theme.CATEGORICAL[1] if c.get("district") == gu else theme.CATEGORICAL[0]
                        for c in cells
                    ]
                },
                "hovertemplate": "%{x}: %{text}<extra></extra>",
            }
        ],
        "layout": theme.layout(
            xaxis={"tickangle": -45, "automargin": True},
            yaxis=theme.count_axis(values, title={"text": label("ballots", lang)}),
            showlegend=False,
        ),
    }
    rows = [[name, count_text(v, lang)] for name, v in zip(x, values, strict=True)]
    return figure, rows


def poll_leaves(poll: Data) -> int | None:
    """How many leaves of the log are this poll's: its definition (`poll.created`) and one
    `poll.ballot` per ballot counted (None without a total)."""
    total = get(poll, "totalBallots")
    return None if not isinstance(total, int) else total + 1


def log_facts(poll: Data, head: Data, lang: Lang) -> list[list[str]]:
    """Rows `[fact, value]`: the poll's leaves, then the signed tree head's size, root hash,
    signing time, origin and key id (`head` is the `logHead` object)."""
    leaves = poll_leaves(poll)
    leaves_text = (
        "–" if leaves is None else f"{number(leaves, lang)} ({label('poll_leaves_note', lang)})"
    )
    return [
        [label("poll_leaves", lang), leaves_text],
        [label("tree_size", lang), number(get(head, "treeSize"), lang)],
        [label("root_hash", lang), str(get(head, "rootHash") or "–")],
        [label("signed_at", lang), when(get(head, "signedAt"), lang)],
        [label("origin", lang), str(get(head, "origin") or "–")],
        [label("key_id", lang), str(get(head, "keyId") or "–")],
    ]


def verify_command(poll_id: str, verifier_key: str | None) -> str:
    """The shell command that re-tallies `poll_id` from the log (`civicgraph poll verify`),
    pinned to the log's published verifier key when known; each argument shell-quoted."""
    words = ["civicgraph", "poll", "verify", poll_id]
    if verifier_key:
        words += ["--key", verifier_key]
    return shlex.join(words)
