"""What a CivicGraph server's `/metrics` says about its GraphQL work: requests, time, store calls.

The differences of two scrapes taken around a load run are what that run cost the server.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

GRAPHQL_ROUTE = "/graphql"


@dataclass(frozen=True)
class GraphQLWork:
    """Totals since start: GraphQL HTTP requests, their time inside the app (s), store calls."""

    requests: float
    seconds: float
    store_calls: float

    def __sub__(self, earlier: GraphQLWork) -> GraphQLWork:
        return GraphQLWork(
            self.requests - earlier.requests,
            self.seconds - earlier.seconds,
            self.store_calls - earlier.store_calls,
        )


def scrape(base_url: str) -> GraphQLWork:
    """Read `base_url`/metrics: `civic_http_request_seconds` of /graphql and `civic_store_calls`.

    Raises OSError when the server does not answer.
    """
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=10) as response:
        text = response.read().decode()
    requests = seconds = store_calls = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "civic_http_request_seconds_count":
                requests += sample.value if sample.labels.get("route") == GRAPHQL_ROUTE else 0
            elif sample.name == "civic_http_request_seconds_sum":
                seconds += sample.value if sample.labels.get("route") == GRAPHQL_ROUTE else 0
            elif sample.name == "civic_store_calls_total":
                store_calls += sample.value
    return GraphQLWork(requests, seconds, store_calls)
