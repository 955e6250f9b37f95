"""The README's list of supported client versions is the code's and the lock file's."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from adapters.simulated_gateway.tws.versions import HIGHEST, LOWEST

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"\n### {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def test_the_readme_names_the_version_range_and_the_pinned_clients() -> None:
    section = _section("Client versions")
    assert f"server versions {LOWEST} to {HIGHEST}" in section.replace("**", "")
    assert f"server versions {LOWEST} to {HIGHEST}" in README  # the introduction too
    for package, shown in (("ib_async", "ib_async"), ("ibapi", "`ibapi`"),
                           ("ib_insync", "ib_insync")):  # fmt: skip
        assert f"| {shown} {importlib.metadata.version(package)} " in section, package
