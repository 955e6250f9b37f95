"""The package: its name, its command, and top-level modules that nothing else provides.

The design's layers install as top-level packages (``domain``, ``application``, ``adapters``,
``entrypoints``). ``entrypoints`` is also an unrelated PyPI package: were a dependency to pull
it in, one would overwrite the other. The lock and the environment are checked for it here.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, distribution, distributions, entry_points
from pathlib import Path

import pytest

import entrypoints
from entrypoints.version import DISTRIBUTION, package_version

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "application", "adapters", "entrypoints")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_distribution_is_named_as_the_version_lookup_reads_it() -> None:
    project = _pyproject()
    assert project["project"]["name"] == DISTRIBUTION != "ibkr-mcp"  # ibkr-mcp: taken on PyPI
    assert project["project"]["scripts"] == {"ibkr-mcp": "entrypoints.cli:main"}
    assert sorted(project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]) == sorted(
        LAYERS
    )
    assert package_version() == distribution(DISTRIBUTION).version == project["project"]["version"]


def test_the_command_is_ours() -> None:
    (script,) = entry_points(group="console_scripts", name="ibkr-mcp")
    assert script.value == "entrypoints.cli:main"
    assert script.dist is not None and script.dist.name == DISTRIBUTION


def test_no_locked_dependency_is_the_pypi_package_entrypoints() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    names = {package["name"] for package in lock["package"]}
    assert DISTRIBUTION in names and "fastmcp" in names  # the lock read is the real one
    assert not names & set(LAYERS), names & set(LAYERS)


@pytest.mark.parametrize("layer", LAYERS)
def test_no_installed_distribution_but_ours_provides_a_layer(layer: str) -> None:
    with pytest.raises(PackageNotFoundError):
        distribution(layer)
    others = []
    for dist in distributions():
        if dist.metadata["Name"] == DISTRIBUTION:
            continue
        top = {line.strip() for line in (dist.read_text("top_level.txt") or "").splitlines()}
        files = {str(path).split("/")[0].removesuffix(".py") for path in dist.files or ()}
        if layer in top | files:
            others.append(dist.metadata["Name"])
    assert others == []


def test_the_imported_entrypoints_is_this_project() -> None:
    assert Path(entrypoints.__file__).resolve() == ROOT / "entrypoints" / "__init__.py"
