"""The errors of `civicgraph supergraph` and `civicgraph federation up`, under `FederationError`."""

from __future__ import annotations

from civicgraph.boundary import CliError


class FederationError(CliError):
    """Base of the federation commands' errors: the CLI prints it as one line, exit code 1."""


class NodeUnavailable(FederationError):
    """Node.js, or the npm packages under `gateway/`, are not installed."""


class CompositionFailed(FederationError):
    """Apollo's composer refused the subgraphs; `errors` holds every (code, message) it gave."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        listed = "; ".join(f"{code}: {message}" for code, message in errors)
        super().__init__(f"composition failed with {len(errors)} error(s): {listed}")


class ProcessFailed(FederationError):
    """A subgraph or gateway process exited, or did not become healthy in time."""


class PortUnavailable(FederationError):
    """A port that `federation up` needs is in use or cannot be bound."""


class StoresUnavailable(FederationError):
    """The stores cannot be opened (unreachable, unseeded, or a LadybugDB file another process
    holds), so the subgraphs could not start."""
