"""The command line of ``ibkr-mcp``: the flags of each command, built by pydantic-settings from
the settings declaration (``entrypoints/settings.py``), read over the ``IBKR_MCP_*`` variables.

``serve`` takes every setting; ``stdio`` every one but the HTTP server's; ``simulate`` has
flags of its own and reads no variable (its ``--port`` is the TWS API's, not the service's).
"""

from __future__ import annotations

import argparse
import functools
import inspect
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

import pydantic_settings
from pydantic import Field, ValidationError, create_model
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    CliSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from entrypoints.settings import (
    ENV_ONLY,
    HTTP_ONLY,
    LogLevel,
    Settings,
    SettingsError,
    explain,
    field_of,
    load,
)

COMMANDS = ("serve", "stdio", "simulate")
Command = Literal["serve", "stdio", "simulate"]


class SimulateOptions(BaseSettings):
    """Run only the simulated IB Gateway: the TWS API socket protocol with made-up prices, for
    ib_async, IB's own clients, or an ibkr-mcp started with --gateway external."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="forbid",
        cli_kebab_case=True,
        cli_avoid_json=True,
        cli_hide_none_type=True,
        cli_exit_on_error=False,
    )

    host: str = Field("127.0.0.1", description="address to bind")
    port: int = Field(4002, description="TWS API port to listen on")
    seed: int = Field(7, description="random seed of the made-up prices")
    account: str = Field("DU1234567", description="account id of the simulated account")
    control_port: int | None = Field(None, description="loopback port for fault injection")
    log_format: Literal["auto", "json", "console"] = Field("auto", description="log line format")
    log_level: LogLevel = Field("INFO", description="the least severe level logged")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # flags only: IBKR_MCP_PORT is the service's port


def _hiding(cls: type[Settings], names: Sequence[str], name: str) -> type[Settings]:
    """``cls`` with the flags of ``names`` left out of --help (what a command does not have)."""
    hidden: dict[str, Any] = {
        field: (
            cls.model_fields[field].annotation,
            FieldInfo.merge_field_infos(
                cls.model_fields[field], description=pydantic_settings.CLI_SUPPRESS
            ),
        )
        for field in names
    }
    return create_model(name, __base__=cls, __doc__=cls.__doc__, **hidden)


@functools.cache
def stdio_settings() -> type[Settings]:
    """The settings of ``stdio``: built when asked for (a few ms that ``serve`` need not pay)."""
    return _hiding(Settings, HTTP_ONLY, "StdioSettings")


class _Parser(argparse.ArgumentParser):
    """argparse, whose errors are one :class:`SettingsError` instead of usage text and an exit."""

    def error(self, message: str) -> NoReturn:
        raise SettingsError(f"{_without_values(message)} (see {self.prog} --help)")


def _parser(command: Command, cls: type[BaseSettings]) -> _Parser:
    return _Parser(
        prog=f"ibkr-mcp {command}",
        usage=f"%(prog)s [-h] [flags]{'' if command == 'simulate' else ' (or IBKR_MCP_* variables)'}",
        description=inspect.cleandoc(cls.__doc__ or ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )


@dataclass(frozen=True)
class Invocation:
    """What the command line asks for: a command and its settings (or the simulator's options),
    and the settings given as flags."""

    command: Command
    settings: Settings | None = None
    simulate: SimulateOptions | None = None
    flags: frozenset[str] = frozenset()


def parse(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> Invocation:
    """The command (``serve`` when none is named) and its checked settings; a bad flag or value is
    one :class:`SettingsError`. ``--help`` prints the help and exits (SystemExit 0)."""
    args = list(argv)
    command: Command = "serve"
    if args and args[0] in COMMANDS:
        command = args.pop(0)  # type: ignore[assignment]
    cls: type[BaseSettings] = Settings
    if command != "serve":
        cls = SimulateOptions if command == "simulate" else stdio_settings()
    cli: CliSettingsSource[_Parser] = CliSettingsSource(cls, root_parser=_parser(command, cls))
    cli = cli(args=args)
    flags = frozenset(field_of(name, cls) for name in cli())
    if command == "simulate":
        try:
            options = SimulateOptions(_cli_settings_source=cli)  # type: ignore[call-arg]
        except ValidationError as exc:
            raise SettingsError(explain(exc, SimulateOptions)) from None
        return Invocation(command, simulate=options, flags=flags)
    for name in sorted(flags & set(ENV_ONLY)):
        raise SettingsError(
            f"--{name.replace('_', '-')} is not taken on the command line, which every user of "
            f"the machine can read: set IBKR_MCP_{name.upper()} or use --{name.replace('_', '-')}"
            "-file"
        )
    if command == "stdio":
        for name in sorted(flags & set(HTTP_ONLY)):
            raise SettingsError(
                f"--{name.replace('_', '-')} is a flag of ibkr-mcp serve: stdio has no HTTP server"
            )
    if command == "stdio":
        # Nor does it read their variables: an image that sets IBKR_MCP_HOST=0.0.0.0 for its
        # HTTP server must still run stdio (which listens on nothing).
        environ = _without_http_variables(os.environ if environ is None else environ)
    settings = load(stdio_settings() if command == "stdio" else Settings, environ=environ, cli=cli)
    return Invocation(command, settings=settings, flags=flags)


def _without_http_variables(environ: Mapping[str, str]) -> dict[str, str]:
    http = {f"IBKR_MCP_{prefix}{name.upper()}" for name in HTTP_ONLY for prefix in ("", "MCP_")}
    return {key: value for key, value in environ.items() if key.upper() not in http}


def settings_from_cli(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of a ``serve`` or ``stdio`` command line, over ``environ`` (else the
    process's variables)."""
    settings = parse(argv, environ).settings
    if settings is None:
        raise SettingsError("simulate has options, not service settings")
    return settings


_UNRECOGNIZED = "unrecognized arguments: "


def _without_values(message: str) -> str:
    """argparse's message with the values of unknown arguments left out: a mistyped
    ``--ib-gateway-pasword=...`` must not print the password to a log."""
    if not message.startswith(_UNRECOGNIZED):
        return message
    words = message[len(_UNRECOGNIZED) :].split()
    flags = [word.split("=", 1)[0] for word in words if word.startswith("-")]
    dropped = len(words) - len(flags)
    said = [*flags, *([f"{dropped} value(s), not shown"] if dropped else [])]
    return _UNRECOGNIZED + ", ".join(said)
