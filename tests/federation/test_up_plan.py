"""What `federation up` starts: one process per subgraph on Neo4j, one for all on LadybugDB."""

from __future__ import annotations

from pathlib import Path

from civicgraph.federation.plan import subgraph_addresses
from civicgraph.federation.up import child_environment, subgraph_commands
from civicgraph.settings import Settings

NAMES = ["city", "sensing"]


def test_subgraph_commands_on_neo4j_start_one_process_per_subgraph(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, graph_url="neo4j://127.0.0.1:7688")
    commands = subgraph_commands(settings, subgraph_addresses(NAMES, first_port=4101))
    assert [(name, argv[-6:], health) for name, argv, health in commands] == [
        (
            "subgraph-city",
            ["--subgraph", "city", "--host", "127.0.0.1", "--port", "4101"],
            ["http://127.0.0.1:4101/healthz"],
        ),
        (
            "subgraph-sensing",
            ["--subgraph", "sensing", "--host", "127.0.0.1", "--port", "4102"],
            ["http://127.0.0.1:4102/healthz"],
        ),
    ]


def test_subgraph_commands_on_ladybug_start_one_process_for_all(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    [(name, argv, health)] = subgraph_commands(settings, subgraph_addresses(NAMES, first_port=4101))
    assert name == "subgraphs"
    assert argv[-4:] == ["--subgraph", "city:4101", "--subgraph", "sensing:4102"]
    assert health == ["http://127.0.0.1:4101/healthz", "http://127.0.0.1:4102/healthz"]


def test_child_environment_trusts_the_gateways_loopback_address_besides_the_configured(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, trusted_proxies="10.0.0.0/8,127.0.0.1")
    env = child_environment(settings, {"PATH": "/bin"})
    assert env["CIVIC_TRUSTED_PROXIES"] == "10.0.0.0/8,127.0.0.1,::1"
    assert env["PATH"] == "/bin"
