"""The ``ibkr-mcp`` command: ``serve`` (default), ``stdio`` and ``simulate``.

The flags come from the settings declaration (``entrypoints/command_line.py``); this module
runs the command, and says a bad flag or value in one line on stderr (exit status 2).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from entrypoints.command_line import SimulateOptions


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["-V"]):
        # Before the settings are loaded: quick, and whatever the environment holds.
        from entrypoints.version import package_version

        print(f"ibkr-mcp {package_version()}")
        return 0
    from entrypoints.command_line import parse
    from entrypoints.settings import SettingsError

    try:
        invocation = parse(args)
    except SettingsError as exc:
        print(f"ibkr-mcp: {exc}", file=sys.stderr)
        return 2
    if invocation.simulate is not None:
        return _simulate(invocation.simulate)
    assert invocation.settings is not None
    from entrypoints.runner import run_serve, run_stdio

    if invocation.command == "stdio":
        return run_stdio(invocation.settings)
    return run_serve(
        invocation.settings,
        password_on_command_line="ib_gateway_password" in invocation.flags,
    )


def _simulate(options: SimulateOptions) -> int:
    from adapters.simulated_gateway import run_standalone
    from entrypoints.logging import configure_logging

    configure_logging(log_format=options.log_format, level=options.log_level)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_standalone(
                host=options.host,
                port=options.port,
                seed=options.seed,
                account=options.account,
                control_port=options.control_port,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
