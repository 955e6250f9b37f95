"""The container we create for the gateway, and what we read back from ``docker inspect``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.docker.profiles import SECRET_PATH, DockerGatewaySettings

LABEL_MANAGED = "io.ibkr-mcp.managed"
LABEL_FLAVOR = "io.ibkr-mcp.flavor"
LABEL_MODE = "io.ibkr-mcp.trading-mode"
LABEL_API_PORT = "io.ibkr-mcp.api-port"
LOOPBACK = "127.0.0.1"


def container_config(settings: DockerGatewaySettings, password: str | None) -> dict[str, Any]:
    """The create request: labelled as ours, every port published on 127.0.0.1 only."""
    profile = settings.profile
    env = profile.build_env(settings, password)
    env.update(settings.env)
    ports = {settings.api_container_port: settings.api_host_port}
    screen = profile.screen_host_port(settings)
    if screen is not None:
        ports[profile.screen_port] = screen
    host_config: dict[str, Any] = {
        "PortBindings": {
            f"{inner}/tcp": [{"HostIp": LOOPBACK, "HostPort": str(outer)}]
            for inner, outer in ports.items()
        },
        # Come back after a crash or a Docker restart, but not after an explicit stop.
        "RestartPolicy": {"Name": "unless-stopped"},
    }
    if settings.password_file is not None and profile.mounts_password_file:
        source = settings.password_file.expanduser().resolve()
        host_config["Binds"] = [f"{source}:{SECRET_PATH}:ro"]
    if profile.ulimits:
        host_config["Ulimits"] = [
            {"Name": name, "Soft": value, "Hard": value} for name, value in profile.ulimits
        ]
    config: dict[str, Any] = {
        "Image": settings.image_ref,
        "Env": [f"{key}={value}" for key, value in env.items()],
        "Labels": {
            LABEL_MANAGED: "true",
            LABEL_FLAVOR: settings.flavor,
            LABEL_MODE: settings.trading_mode,
            LABEL_API_PORT: str(settings.api_container_port),
        },
        "ExposedPorts": {f"{inner}/tcp": {} for inner in ports},
        "HostConfig": host_config,
    }
    if settings.cmd is not None:
        config["Cmd"] = list(settings.cmd)
    return config


def is_ours(info: dict[str, Any]) -> bool:
    return _labels(info).get(LABEL_MANAGED) == "true"


def label(info: dict[str, Any], key: str) -> str | None:
    return _labels(info).get(key)


def api_container_port(info: dict[str, Any], settings: DockerGatewaySettings) -> int:
    """The API port inside an existing container: from its label, which outlives our settings."""
    raw = label(info, LABEL_API_PORT)
    return int(raw) if raw and raw.isdigit() else settings.api_container_port


def published_ports(info: dict[str, Any]) -> dict[int, int]:
    """Container port -> host port, for ports published on the host."""
    out: dict[int, int] = {}
    bindings = (info.get("NetworkSettings") or {}).get("Ports") or {}
    if not bindings:  # a stopped container has no live bindings: use the configuration
        bindings = (info.get("HostConfig") or {}).get("PortBindings") or {}
    for key, hosts in bindings.items():
        inner, _, proto = key.partition("/")
        if proto == "tcp" and hosts and inner.isdigit():
            host_port = hosts[0].get("HostPort")
            if host_port and str(host_port).isdigit():
                out[int(inner)] = int(host_port)
    return out


def is_running(info: dict[str, Any]) -> bool:
    state = info.get("State") or {}
    return bool(state.get("Running")) and not state.get("Restarting")


def restarts(info: dict[str, Any]) -> int:
    """How often Docker's restart policy restarted the container (a crash loop shows here)."""
    state = info.get("State") or {}
    return int(info.get("RestartCount") or 0) + (1 if state.get("Restarting") else 0)


def state_name(info: dict[str, Any]) -> str:
    return str((info.get("State") or {}).get("Status") or "unknown")


def started_at(info: dict[str, Any]) -> datetime | None:
    """Docker's RFC 3339 time with nanoseconds, or None for its zero value."""
    raw = (info.get("State") or {}).get("StartedAt") or ""
    if not raw or raw.startswith("0001-"):
        return None
    stamp, _, frac = raw.rstrip("Z").partition(".")
    frac = frac.split("+")[0].split("-")[0]
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    micros = int((frac + "000000")[:6]) if frac.isdigit() else 0
    return parsed.replace(microsecond=micros, tzinfo=UTC)


def _labels(info: dict[str, Any]) -> dict[str, str]:
    return (info.get("Config") or {}).get("Labels") or {}
