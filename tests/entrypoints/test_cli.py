"""The ``ibkr-mcp`` command line: flags over variables over defaults, --help, --version, errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from entrypoints.cli import main
from entrypoints.command_line import parse, settings_from_cli, stdio_settings
from entrypoints.settings import ENV_ONLY, HTTP_ONLY, Settings, SettingsError
from entrypoints.version import DISTRIBUTION

ROOT = Path(__file__).resolve().parents[2]


def _help(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str) -> str:
    monkeypatch.setenv("COLUMNS", "2000")  # one line per flag: argparse wraps at the terminal
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def _flag_line(text: str, flag: str) -> str:
    """The help of one flag: its line, and the next when the names fill the first."""
    found = re.search(rf"^  {re.escape(flag)}\b.*\n(?:(?!  -).*\n)?", text, re.M)
    assert found is not None, f"{flag} is not in --help"
    return " ".join(found.group(0).split())


@pytest.mark.parametrize(
    ("flags", "env", "expected"),
    [
        ([], {}, (8000, 10.0, True, ())),
        (
            [],
            {
                "IBKR_MCP_PORT": "9001",
                "IBKR_MCP_REQUEST_TIMEOUT": "2.5",
                "IBKR_MCP_MONITOR_ENABLED": "off",
                "IBKR_MCP_ALLOWED_SYMBOLS": "AAPL, MSFT",
            },
            (9001, 2.5, False, ("AAPL", "MSFT")),
        ),
        (
            ["--port", "9100", "--request-timeout", "3", "--monitor", "--allowed-symbols", "SPY"],
            {
                "IBKR_MCP_PORT": "9001",
                "IBKR_MCP_REQUEST_TIMEOUT": "2.5",
                "IBKR_MCP_MONITOR_ENABLED": "off",
                "IBKR_MCP_ALLOWED_SYMBOLS": "AAPL,MSFT",
            },
            (9100, 3.0, True, ("SPY",)),
        ),
        # A flag names only what it sets: the other settings still come from the variables.
        (["--no-monitor"], {"IBKR_MCP_PORT": "9001"}, (9001, 10.0, False, ())),
        # An empty variable is as good as unset.
        ([], {"IBKR_MCP_PORT": "", "IBKR_MCP_MONITOR_ENABLED": ""}, (8000, 10.0, True, ())),
    ],
)
def test_a_flag_wins_over_its_variable_which_wins_over_the_default(flags, env, expected):
    settings = settings_from_cli(["serve", *flags], env)
    symbols = settings.allowed_symbols or ()
    got = (settings.port, settings.request_timeout, settings.monitor_enabled, symbols)
    assert got == expected


def test_list_flags_take_commas_and_repeats_and_keep_spaces_inside_items():
    settings = settings_from_cli(
        [
            *("--maintenance-window", "daily 23:45-01:45 America/New_York"),
            *("--maintenance-windows", "sat 00:00-23:59 UTC"),
            *("--gateway-env", "AUTO_RESTART_TIME=11:59 PM,TWOFA_TIMEOUT_ACTION=restart"),
        ],
        {"IBKR_MCP_GATEWAY_ENV": "FROM_ENV=1"},
    )
    assert settings.maintenance_windows == (
        "daily 23:45-01:45 America/New_York",
        "sat 00:00-23:59 UTC",
    )
    assert settings.gateway_env == ("AUTO_RESTART_TIME=11:59 PM", "TWOFA_TIMEOUT_ACTION=restart")


def test_help_shows_every_flag_with_its_variable_and_default(capsys, monkeypatch):
    text = _help(capsys, monkeypatch)
    assert text.startswith("usage: ibkr-mcp serve")
    for name, info in Settings.model_fields.items():
        if name in ENV_ONLY:
            continue
        line = _flag_line(text, f"--{name.replace('_', '-')}")
        assert f"[env: IBKR_MCP_{name.upper()}" in line, line
        shown = "None" if info.default is None else str(info.default)
        assert f"(default: {shown})" in line, line
    assert "(default: 8000) [env: IBKR_MCP_PORT]" in _flag_line(text, "--port")
    # the former names are flags and variables still
    hosts = _flag_line(text, "--allowed-hosts")
    assert "--mcp-allowed-hosts" in hosts and "IBKR_MCP_MCP_ALLOWED_HOSTS" in hosts
    assert "--no-monitor" in _flag_line(text, "--monitor-enabled")
    assert "--maintenance-window " in _flag_line(text, "--maintenance-windows")
    for command in ("stdio", "simulate", "--version"):
        assert f"ibkr-mcp {command}" in text  # the other commands are named


def test_help_never_shows_a_secret(capsys, monkeypatch):
    for name, value in {
        "IBKR_MCP_TOKEN": "ops:token-0123456789abcdef",
        "IBKR_MCP_IB_GATEWAY_PASSWORD": "hunter2-secret",
        "IBKR_MCP_JOURNAL_DSN": "postgresql://u:pg-secret-pw@db/x",
    }.items():
        monkeypatch.setenv(name, value)
    text = _help(capsys, monkeypatch)
    for secret in ("token-0123456789abcdef", "hunter2-secret", "pg-secret-pw"):
        assert secret not in text
    assert not re.search(r"^\s+--token(?![\w-])", text, re.M)  # a variable only
    assert "(default: None) [env: IBKR_MCP_IB_GATEWAY_PASSWORD]" in text


def test_stdio_help_leaves_out_the_http_servers_flags(capsys, monkeypatch):
    text = _help(capsys, monkeypatch, "stdio")
    assert text.startswith("usage: ibkr-mcp stdio")
    for name in HTTP_ONLY:
        assert not re.search(rf"^\s+--{name.replace('_', '-')}(?![\w-])", text, re.M), name
    assert "[env: IBKR_MCP_READ_ONLY]" in _flag_line(text, "--read-only")
    assert set(stdio_settings().model_fields) == set(Settings.model_fields)


def test_simulate_has_its_own_flags_and_reads_no_variable(capsys, monkeypatch):
    text = _help(capsys, monkeypatch, "simulate")
    assert "(default: 4002)" in _flag_line(text, "--port") and "[env:" not in text
    invocation = parse(["simulate", "--seed", "3"], {"IBKR_MCP_PORT": "9999"})
    monkeypatch.setenv("IBKR_MCP_PORT", "9999")
    options = parse(["simulate", "--seed", "3"]).simulate
    assert invocation.simulate == options
    assert options is not None and (options.port, options.seed) == (4002, 3)


def test_version_prints_the_installed_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"ibkr-mcp {version(DISTRIBUTION)}\n"


@pytest.mark.parametrize(
    ("argv", "env", "needle"),
    [
        (["--port", "eighty"], {}, "IBKR_MCP_PORT (--port) must be a whole number, got 'eighty'"),
        ([], {"IBKR_MCP_PORT": "eighty"}, "IBKR_MCP_PORT (--port) must be a whole number"),
        ([], {"IBKR_MCP_PORT": "70000"}, "port must be 1-65535"),
        ([], {"IBKR_MCP_READ_ONLY": "maybe"}, "must be true or false, got 'maybe'"),
        (["--gateway", "dockr"], {}, "must be one of 'simulated', 'docker' or 'external'"),
        (["--bogus"], {}, "unrecognized arguments: --bogus (see ibkr-mcp serve --help)"),
        # A mistyped secret flag: its value must not reach stderr (a log, under Docker).
        (["--ib-gateway-pasword=hunter2secret"], {}, "arguments: --ib-gateway-pasword (see"),
        (["stray", "hunter2secret"], {}, "arguments: 2 value(s), not shown (see"),
        (["--port"], {}, "--port: expected one argument"),
        (["stdio", "--port", "9000"], {}, "--port is a flag of ibkr-mcp serve"),
        (["--token", "ops:abcdefghijklmnop"], {}, "set IBKR_MCP_TOKEN or use --token-file"),
        (["simulate", "--port", "x"], {}, "--port must be a whole number, got 'x'"),
    ],
)
def test_a_bad_flag_or_value_is_one_line_and_exit_status_2(argv, env, needle):
    proc = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", *argv],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("IBKR_MCP_")}, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr  # no usage text, no traceback
    assert lines[0].startswith("ibkr-mcp: ") and needle in lines[0], lines[0]
    assert "hunter2secret" not in proc.stderr


def test_a_bad_value_never_echoes_a_secret():
    with pytest.raises(SettingsError) as caught:
        settings_from_cli(["--journal-dsn", "postgresql://u:pg-secret-pw@db/x", "--port", "x"], {})
    assert "pg-secret-pw" not in str(caught.value)


def test_the_readme_configuration_names_only_real_flags(capsys, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Configuration\n")
    section = readme[start : readme.index("\n## ", start + 1)]
    serve = _help(capsys, monkeypatch)
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+(?![\w*-])", section))
    flags = named - {"--help", "--version", "--flag", "--no-flag"}
    assert len(flags) > 40
    for flag in sorted(flags):
        assert re.search(rf"(^\s+|, ){re.escape(flag)}\b", serve, re.M), flag
    variables = set(re.findall(r"IBKR_MCP_[A-Z_]*[A-Z](?![\w*])", section)) - {"IBKR_MCP_TOKEN"}
    assert len(variables) >= 5
    for name in variables:  # a variable, or a former name shown after it
        assert re.search(rf"(\[env: | \| ){name}\b", serve), name


def test_the_flags_given_are_known_so_a_password_flag_is_warned_about():
    given = parse(["--ib-gateway-username", "u", "--ib-gateway-password", "pw-0123456789"], {})
    assert given.flags == {"ib_gateway_username", "ib_gateway_password"}
    from_env = parse([], {"IBKR_MCP_IB_GATEWAY_PASSWORD": "pw-0123456789"})
    assert from_env.flags == frozenset()
    assert from_env.settings is not None and from_env.settings.ib_gateway_password is not None


def test_stdio_ignores_the_http_servers_variables():
    # The image sets IBKR_MCP_HOST=0.0.0.0 for its server; `docker run -i image stdio` must run.
    from entrypoints.command_line import parse

    env = {"IBKR_MCP_HOST": "0.0.0.0", "IBKR_MCP_ALLOWED_ORIGINS": "*", "IBKR_MCP_PORT": "x"}
    invocation = parse(["stdio"], env)
    assert invocation.settings is not None and invocation.settings.host == "127.0.0.1"
    with pytest.raises(SettingsError, match=r"Refusing to listen on 0\.0\.0\.0"):
        parse(["serve"], {"IBKR_MCP_HOST": "0.0.0.0"})
