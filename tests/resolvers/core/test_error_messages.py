"""Error messages quote a caller's values briefly: a 1 MB key never comes back in full."""

from __future__ import annotations

from resolvers.core.entities import checked_representation
from resolvers.core.errors import MAX_MESSAGE_CHARS, ApiError, ApiErrorCode, not_found
from resolvers.subgraphs import subgraph_schema

CITY = subgraph_schema("city").schema_converter


def test_not_found_quotes_at_most_80_characters_of_the_key() -> None:
    error = not_found("district", "1" * 1_000_000, "code")
    assert len(error.message) < 120
    assert error.message.startswith("no district '1111")


def test_no_api_error_message_is_longer_than_the_maximum() -> None:
    error = ApiError(ApiErrorCode.INVALID, "x" * 50_000, "field")
    assert len(error.message) == MAX_MESSAGE_CHARS


def test_a_representation_without_typename_is_named_as_such() -> None:
    for representation in ({"id": "x"}, {"__typename": 7}, "District"):
        refused = checked_representation(CITY, representation)
        assert isinstance(refused, ApiError)
        assert refused.message == "a representation is an object with __typename"


def test_an_unknown_typename_is_quoted_briefly() -> None:
    refused = checked_representation(CITY, {"__typename": "T" * 100_000})
    assert isinstance(refused, ApiError)
    assert refused.message.endswith("is not an entity type")
    assert len(refused.message) < 120
