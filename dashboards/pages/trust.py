"""Trust: certificates issued, revoked and verified; procurement contracts in flight with their
cycle times against the 23-day manual baseline; the verifiable log's checkpoint history."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import panels
from dashboards.figures import trust as figures
from dashboards.i18n import Lang
from dashboards.pages import Page, View
from dashboards.pages.common import read_all
from dashboards.sources import Answer, Source
from graph.records.api_keys import Tier

CERTIFICATES = Source(
    "CertificateStatistics",
    """
query CertificateStatistics {
  certificateStatistics {
    issued issuedToday revoked revokedToday verified verifiedToday
    byKind { key count suppressed }
  }
}""",
)
PROCUREMENT = Source(
    "ProcurementStatistics",
    """
query ProcurementStatistics {
  procurementStatistics {
    inFlight completed medianCycleDays manualBaselineDays
    byState { key count suppressed }
  }
}""",
)
CONTRACTS = Source(
    "ContractsInFlight",
    """
query ContractsInFlight($state: [ContractState!], $first: Int) {
  contracts(state: $state, first: $first) { id title department state cycleDays createdAt }
}""",
)
CHECKPOINTS = Source(
    "LogCheckpoints",
    """
query LogCheckpoints($first: Int) {
  logCheckpoints(first: $first) { treeSize rootHash signedAt keyId }
}""",
)
CONTRACT_VARIABLES: dict[str, Any] = {"state": list(figures.IN_FLIGHT), "first": 30}
CHECKPOINT_VARIABLES: dict[str, Any] = {"first": 100}


def _tiles(tiles: list[Any], href: str, lang: Lang) -> html.Div:
    return html.Div(
        [panels.kpi(x.id, x.label, x.value, href, lang, x.note) for x in tiles],
        className="kpis",
    )


def _chart_or_failed(answer: Answer, title: str, chart: html.Section, lang: Lang) -> Any:
    return chart if answer.data is not None else panels.failed(title, answer.codes(), lang)


async def render(view: View) -> list[Any]:
    """Certificate tiles and kinds, procurement tiles, cycle time and contracts, then the
    log's checkpoints. City-wide: a drilled-into gu only adds a note."""
    lang = view.lang
    answers = await read_all(
        view.reader,
        {
            "certificates": (CERTIFICATES, None),
            "procurement": (PROCUREMENT, None),
            "contracts": (CONTRACTS, CONTRACT_VARIABLES),
            "checkpoints": (CHECKPOINTS, CHECKPOINT_VARIABLES),
        },
    )
    links = {
        "certificates": CERTIFICATES.link(),
        "procurement": PROCUREMENT.link(),
        "contracts": CONTRACTS.link(CONTRACT_VARIABLES),
        "checkpoints": CHECKPOINTS.link(CHECKPOINT_VARIABLES),
    }
    L = lambda key: figures.label(key, lang)  # noqa: E731
    certs, procurement = answers["certificates"], answers["procurement"]
    contracts, checkpoints = answers["contracts"], answers["checkpoints"]
    kinds_figure, kinds_rows = figures.certificates_by_kind(certs.data, lang)
    cycle_figure, cycle_rows = figures.cycle_vs_baseline(procurement.data, lang)
    baseline = figures.baseline_days(procurement.data)
    flight_figure, flight_rows = figures.contracts_in_flight(contracts.data, baseline, lang)
    history_figure, history_rows = figures.checkpoint_history(checkpoints.data, lang)
    return [
        html.H1(L("title")),
        html.P(L("city_wide"), className="panel-note") if view.gu else None,
        html.H2(L("certificates")),
        _tiles(figures.certificate_tiles(certs.data, lang), links["certificates"], lang),
        html.H2(L("procurement")),
        _tiles(figures.procurement_tiles(procurement.data, lang), links["procurement"], lang),
        html.Div(
            [
                _chart_or_failed(
                    certs,
                    L("by_kind"),
                    panels.chart(
                        "certificates-by-kind",
                        L("by_kind"),
                        kinds_figure,
                        [L("kind"), L("count")],
                        kinds_rows,
                        links["certificates"],
                        lang,
                    ),
                    lang,
                ),
                _chart_or_failed(
                    procurement,
                    L("cycle"),
                    panels.chart(
                        "cycle-vs-baseline",
                        L("cycle"),
                        cycle_figure,
                        [L("measure"), L("days")],
                        cycle_rows,
                        links["procurement"],
                        lang,
                        note=L("cycle_note"),
                    ),
                    lang,
                ),
                _chart_or_failed(
                    contracts,
                    L("contracts"),
                    panels.chart(
                        "contracts-in-flight",
                        L("contracts"),
                        flight_figure,
                        figures.contracts_header(lang),
                        flight_rows,
                        links["contracts"],
                        lang,
                        note=L("contracts_note"),
                    ),
                    lang,
                ),
                _chart_or_failed(
                    checkpoints,
                    L("log"),
                    panels.chart(
                        "log-checkpoints",
                        L("log"),
                        history_figure,
                        figures.history_header(lang),
                        history_rows,
                        links["checkpoints"],
                        lang,
                        note=L("log_note"),
                    ),
                    lang,
                ),
            ],
            className="charts",
        ),
    ]


PAGE = Page("trust", "nav.trust", frozenset({"log"}), Tier.ANALYST, render)
