"""The README's promises, checked against the code: its lists are the real ones (its examples
run in test_readme_examples.py)."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from fastmcp import Client

from application.container import build_services
from entrypoints.catalog import CATALOG
from entrypoints.mcp.server import build_mcp
from entrypoints.version import DISTRIBUTION
from tests.fakes import FakeBroker, FakeClock, FakeGateway

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _mcp() -> object:
    return build_mcp(build_services(FakeBroker(), FakeGateway(), FakeClock()))


async def test_the_readme_lists_exactly_the_mcp_tools() -> None:
    listed = re.search(r"\nTools: (.*?)\. With `--read-only`", _section("MCP"), re.S)
    assert listed is not None
    named = set(re.findall(r"`(\w+)`", listed.group(1)))
    async with Client(_mcp()) as client:  # type: ignore[arg-type]
        tools = {tool.name for tool in await client.list_tools()}
    assert named == tools


def test_the_rest_table_names_every_operation() -> None:
    ids = set(re.findall(r"^\| `[A-Z]+ [^`]+` \| `(\w+)` \|", _section("REST API"), re.M))
    assert ids == {op.name for op in CATALOG} | {"get_liveness"}


async def test_the_mcp_server_reports_the_package_version() -> None:
    async with Client(_mcp()) as client:  # type: ignore[arg-type]
        info = client.server_info
    assert info is not None
    assert (info.name, info.version) == ("ibkr-mcp", version(DISTRIBUTION))


def test_the_license_is_mit() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text


def test_no_macos_only_commands() -> None:
    assert not re.search(r"^\s*open http", README, re.M)


def test_the_toolset_table_is_the_catalogs() -> None:
    from entrypoints.toolsets import PROFILES

    section = _section("MCP")
    rows = re.findall(r"^\| `(\w+)` \| (`\w+`(?:, `\w+`)*) \|$", section, re.M)
    listed = {toolset: re.findall(r"`(\w+)`", tools) for toolset, tools in rows}
    assert listed == {
        toolset: [op.name for op in CATALOG if op.toolset == toolset]
        for toolset in dict.fromkeys(op.toolset for op in CATALOG)
    }
    profiles = re.findall(r"^\| `([\w-]+)`(?: \(default\))? \| ", section, re.M)
    assert set(profiles) - set(listed) == set(PROFILES)
