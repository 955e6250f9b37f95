"""The words of the Docker gateway's errors: what happened and what the user can do about it."""

from __future__ import annotations

from typing import Any

from adapters.docker.profiles import DockerGatewaySettings


def foreign_container(name: str) -> str:
    return (
        f"A container named {name} exists but was not created by ibkr-mcp (it lacks the label "
        "io.ibkr-mcp.managed=true), so it is left alone. Remove or rename it, choose another "
        "name with --gateway-container-name, or use it as it is with --gateway external "
        "--ib-port <its API port>."
    )


def unpublished_api_port(settings: DockerGatewaySettings, inner: int) -> str:
    name = settings.container_name
    return (
        f"The gateway container {name} does not publish its API port {inner}/tcp on the host. "
        f"Remove it (docker rm -f {name}) so that ibkr-mcp creates it again with the port on "
        f"127.0.0.1:{settings.api_host_port}."
    )


def screen_hint(settings: DockerGatewaySettings) -> str:
    """Where a person can see the gateway's window (login, 2FA), if it is published."""
    profile = settings.profile
    port = profile.screen_host_port(settings)
    if port is None:
        return ""
    if profile.screen_name == "novnc":
        return f" or on the gateway screen in a browser at http://127.0.0.1:{port}"
    return f" or on the gateway screen with a VNC viewer at 127.0.0.1:{port}"


def login_timeout(settings: DockerGatewaySettings, api_port: int) -> str:
    return (
        f"The IB Gateway in container {settings.container_name} did not open its API port "
        f"(127.0.0.1:{api_port}) within {settings.start_timeout:g} s. It is probably still "
        "logging in or waiting for a second-factor (2FA) confirmation: approve it in the IBKR "
        f"mobile app{screen_hint(settings)}, check the gateway logs (GET /gateway/logs), then "
        "start again. The container was left running."
    )


def exited_early(
    settings: DockerGatewaySettings, info: dict[str, Any] | None, last_lines: list[str]
) -> str:
    name = settings.container_name
    if info is None:
        return f"The gateway container {name} disappeared while starting."
    state = info.get("State") or {}
    text = (
        f"The gateway container {name} stopped (state {state.get('Status')}, exit code "
        f"{state.get('ExitCode')}) before its API port opened."
    )
    if state.get("Restarting"):
        text = (
            f"The gateway container {name} keeps exiting (last exit code {state.get('ExitCode')}"
            f"; Docker restarts it) before its API port opened."
        )
    elif state.get("Running"):
        # Docker resets ExitCode when it restarts a container: the last run's code is gone.
        text = (
            f"The gateway container {name} keeps exiting (Docker restarted it "
            f"{info.get('RestartCount', 0)} times) before its API port opened."
        )
    if last_lines:
        text += " Its last log lines: " + " | ".join(last_lines)
    return text
