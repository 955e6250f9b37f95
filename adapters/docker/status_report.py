"""What ``status()`` says about a container, read from its ``docker inspect`` document."""

from __future__ import annotations

from typing import Any

from adapters.docker import container_spec as spec
from adapters.docker.profiles import DockerGatewaySettings


def configured_facts(settings: DockerGatewaySettings, api_port: int) -> dict[str, Any]:
    """What we know without a container: the settings (and the API port we learned)."""
    return {
        "kind": "docker",
        "image": settings.image_ref,
        "flavor": settings.flavor,
        "mode": settings.trading_mode,
        "api_host": spec.LOOPBACK,
        "api_port": api_port,
    }


def container_facts(info: dict[str, Any], settings: DockerGatewaySettings) -> dict[str, Any]:
    """The container as it is, which may differ from the settings (an adopted container)."""
    return {
        "container_id": info["Id"][:12],
        "started_at": spec.started_at(info),
        "image": (info.get("Config") or {}).get("Image") or settings.image_ref,
        "flavor": spec.label(info, spec.LABEL_FLAVOR) or settings.flavor,
        "mode": spec.label(info, spec.LABEL_MODE) or settings.trading_mode,
        "ports": named_ports(info, settings),
    }


def named_ports(info: dict[str, Any], settings: DockerGatewaySettings) -> dict[str, int]:
    """Host ports by role: ``api`` and the screen (``vnc`` or ``novnc``), where published."""
    profile = settings.profile
    names = {spec.api_container_port(info, settings): "api"}
    names.setdefault(profile.screen_port, profile.screen_name)
    published = spec.published_ports(info)
    return {name: published[inner] for inner, name in names.items() if inner in published}
