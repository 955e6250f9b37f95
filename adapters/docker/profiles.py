"""What differs between the IB Gateway images we can run, and the settings of a managed gateway.

Two community images are supported, chosen by ``flavor``:

* ``gnzsnz`` (``ghcr.io/gnzsnz/ib-gateway``): ``TWS_USERID`` plus ``TWS_PASSWORD_FILE`` (the
  password file is mounted read-only at ``SECRET_PATH``, so the password never appears in the
  container's environment or in ``docker inspect``; the image runs as uid 1000, which must be
  able to read the file) or ``TWS_PASSWORD``; API on 4004 (paper) / 4003 (live); VNC on 5900.
* ``extrange`` (``ghcr.io/extrange/ibkr``): ``USERNAME``/``PASSWORD`` only: the image has no
  password-file variant, so the password is read from ``password_file`` here and passed in the
  environment, where ``docker inspect`` can show it. API on 8888; noVNC (a browser screen for
  the 2FA prompt and troubleshooting) on 6080.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Flavor = Literal["gnzsnz", "extrange"]
TradingMode = Literal["paper", "live"]

SECRET_PATH = "/run/secrets/ibkr_gateway_password"


def default_docker_host() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


@dataclass(frozen=True, kw_only=True)
class DockerGatewaySettings:
    """How to run (or find) the IB Gateway container. The password never shows in its repr."""

    flavor: Flavor = "gnzsnz"
    image: str | None = None  # None: the flavor's default image
    container_name: str = "ibkr-gateway"
    trading_mode: TradingMode = "paper"
    read_only_api: bool = False  # False: this service places orders
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    password_file: Path | None = None  # preferred over ``password``
    api_host_port: int = 4002  # published on 127.0.0.1 only
    vnc_host_port: int | None = None  # gnzsnz VNC (5900), only when set
    novnc_host_port: int | None = 6080  # extrange browser screen (6080)
    stop_on_exit: bool = False  # keep a logged-in gateway: a restart may cost a 2FA prompt
    docker_host: str = field(default_factory=default_docker_host)
    start_timeout: float = 180.0  # until the API port accepts (login, maybe 2FA)
    pull_timeout: float = 900.0
    docker_timeout: float = 30.0  # any single Docker API call
    stop_grace: int = 30  # seconds Docker waits for a clean shutdown before SIGKILL
    # For tests and unusual images:
    api_port_in_container: int | None = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    cmd: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.flavor not in PROFILES:
            raise ValueError(f"flavor must be one of {sorted(PROFILES)}, got {self.flavor!r}")
        if self.trading_mode not in ("paper", "live"):
            raise ValueError(f"trading_mode must be paper or live, got {self.trading_mode!r}")
        for name in ("api_host_port", "vnc_host_port", "novnc_host_port"):
            port = getattr(self, name)
            if port is not None and not 0 < port < 65536:
                raise ValueError(f"{name} must be 1-65535, got {port}")
        if min(self.start_timeout, self.pull_timeout, self.docker_timeout) <= 0:
            raise ValueError("timeouts must be > 0 seconds")

    @property
    def profile(self) -> GatewayProfile:
        return PROFILES[self.flavor]

    @property
    def image_ref(self) -> str:
        return self.image or self.profile.default_image

    @property
    def api_container_port(self) -> int:
        return self.api_port_in_container or self.profile.api_port(self.trading_mode)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _gnzsnz_env(s: DockerGatewaySettings, password: str | None) -> dict[str, str]:
    env = {
        "TWS_USERID": s.username or "",
        "TRADING_MODE": s.trading_mode,
        "READ_ONLY_API": _yes_no(s.read_only_api),
    }
    if s.password_file is not None:
        env["TWS_PASSWORD_FILE"] = SECRET_PATH
    elif password:
        env["TWS_PASSWORD"] = password
    return env


def _extrange_env(s: DockerGatewaySettings, password: str | None) -> dict[str, str]:
    # The image defaults to live trading and to a demo user: always say what we mean.
    return {
        "USERNAME": s.username or "",
        "PASSWORD": password or "",
        "IBC_TradingMode": s.trading_mode,
        "IBC_ReadOnlyApi": _yes_no(s.read_only_api),
        "GATEWAY_OR_TWS": "gateway",
    }


@dataclass(frozen=True)
class GatewayProfile:
    """One image family: its default image, ports and how it takes its settings."""

    flavor: Flavor
    default_image: str
    paper_port: int
    live_port: int
    screen_port: int  # VNC or noVNC inside the container
    screen_name: Literal["vnc", "novnc"]
    mounts_password_file: bool  # False: the image only reads the password from its env
    build_env: Callable[[DockerGatewaySettings, str | None], dict[str, str]]
    ulimits: tuple[tuple[str, int], ...] = ()

    def api_port(self, mode: TradingMode) -> int:
        return self.live_port if mode == "live" else self.paper_port

    def screen_host_port(self, s: DockerGatewaySettings) -> int | None:
        return s.vnc_host_port if self.screen_name == "vnc" else s.novnc_host_port


def reserved_env_keys(flavor: str) -> frozenset[str]:
    """The container variables the profile sets from our own options (credentials, trading
    mode, read-only API): extra variables must not override them."""
    build = PROFILES[flavor].build_env
    keys: set[str] = set()
    for password_file in (None, Path(SECRET_PATH)):
        probe = DockerGatewaySettings(flavor=flavor, password_file=password_file)  # type: ignore[arg-type]
        keys |= build(probe, "x").keys()
    return frozenset(keys)


PROFILES: dict[str, GatewayProfile] = {
    "gnzsnz": GatewayProfile(
        flavor="gnzsnz",
        default_image="ghcr.io/gnzsnz/ib-gateway:stable",
        paper_port=4004,
        live_port=4003,
        screen_port=5900,
        screen_name="vnc",
        mounts_password_file=True,
        build_env=_gnzsnz_env,
    ),
    "extrange": GatewayProfile(
        flavor="extrange",
        default_image="ghcr.io/extrange/ibkr:stable",
        paper_port=8888,
        live_port=8888,
        screen_port=6080,
        screen_name="novnc",
        mounts_password_file=False,
        build_env=_extrange_env,
        # Java in this image fails with "unable to allocate file descriptor table" otherwise.
        ulimits=(("nofile", 10000),),
    ),
}
