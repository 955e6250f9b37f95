from pathlib import Path

import pytest

from entrypoints.command_line import settings_from_cli
from entrypoints.settings import Secret, SettingsError, settings_from_env


def test_defaults_pick_the_embedded_simulator_on_loopback():
    settings = settings_from_env({})
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.gateway_mode == "simulated"
    assert settings.ib_client_id != 0


def test_environment_variables_are_read_and_typed():
    settings = settings_from_env(
        {
            "IBKR_MCP_PORT": "9001",
            "IBKR_MCP_REQUEST_TIMEOUT": "2.5",
            "IBKR_MCP_GATEWAY_STOP_ON_EXIT": "yes",
            "IBKR_MCP_MCP_ALLOWED_HOSTS": "a.example, b.example",
            "IBKR_MCP_GATEWAY": "external",
        }
    )
    assert settings.port == 9001
    assert settings.request_timeout == 2.5
    assert settings.gateway_stop_on_exit is True
    assert settings.allowed_hosts == ("a.example", "b.example")  # the former name still works
    assert settings.gateway_mode == "external"


def test_cli_flags_override_the_environment():
    env = {"IBKR_MCP_PORT": "9001", "IBKR_MCP_GATEWAY": "docker", "IBKR_MCP_IB_PORT": "4001"}
    settings = settings_from_cli(["serve", "--port", "8100", "--gateway", "external"], env)
    assert settings.port == 8100
    assert settings.gateway_mode == "external"
    assert settings.ib_port == 4001  # the variable, where no flag is given


def test_mcp_sessions_are_bounded_by_default_and_configurable():
    defaults = settings_from_env({})
    assert (defaults.mcp_session_idle_timeout, defaults.mcp_max_sessions) == (600.0, 100)
    env = {"IBKR_MCP_MCP_SESSION_IDLE_TIMEOUT": "90", "IBKR_MCP_MCP_MAX_SESSIONS": "20"}
    assert settings_from_env(env).mcp_session_idle_timeout == 90.0
    assert settings_from_cli(["serve", "--mcp-max-sessions", "5"], {}).mcp_max_sessions == 5


def test_credentials_mean_docker_and_the_password_never_shows(tmp_path: Path):
    settings = settings_from_cli(
        ["serve", "--ib-gateway-username", "trader", "--ib-gateway-password", "hunter2-secret"], {}
    )
    assert settings.gateway_mode == "docker"
    assert isinstance(settings.ib_gateway_password, Secret)
    assert "hunter2-secret" not in repr(settings)
    assert "hunter2-secret" not in str(settings.ib_gateway_password)
    assert settings.ib_gateway_password.reveal() == "hunter2-secret"


def test_password_file_is_read_and_listed_as_a_secret(tmp_path: Path):
    secret_file = tmp_path / "pw"
    secret_file.write_text("from-a-file\n")
    settings = settings_from_env(
        {"IBKR_MCP_IB_GATEWAY_USERNAME": "u", "IBKR_MCP_IB_GATEWAY_PASSWORD_FILE": str(secret_file)}
    )
    assert settings.gateway_mode == "docker"
    assert settings.password().reveal() == "from-a-file"
    assert settings.secrets() == ["from-a-file"]


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"IBKR_MCP_PORT": "eighty"}, "IBKR_MCP_PORT"),
        ({"IBKR_MCP_PORT": "70000"}, "port"),
        ({"IBKR_MCP_GATEWAY_STOP_ON_EXIT": "maybe"}, "true or false"),
        ({"IBKR_MCP_REQUEST_TIMEOUT": "0"}, "request_timeout"),
        ({"IBKR_MCP_GATEWAY": "docker"}, "credentials"),
        ({"IBKR_MCP_MCP_SESSION_IDLE_TIMEOUT": "0"}, "mcp_session_idle_timeout"),
        ({"IBKR_MCP_MCP_MAX_SESSIONS": "0"}, "mcp_max_sessions"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(env, needle):
    with pytest.raises(SettingsError, match=needle):
        settings_from_env(env)


def test_monitor_settings_reach_the_monitor_policy():
    from entrypoints.bootstrap import assemble

    settings = settings_from_env(
        {},
        monitor_probe="QQQ STK SMART USD",
        monitor_interval=5.0,
        maintenance_windows=("daily 01:00-02:00 UTC",),
    )
    assembly = assemble(settings)
    monitor = assembly.services.health._monitor  # the one the /health report reads
    policy = monitor.policy
    assert policy.probe.symbol == "QQQ"
    assert policy.interval == 5.0
    assert len(policy.windows) == 1
    assert policy.allow_restart is True


def test_maintenance_window_none_and_bad_windows():
    from entrypoints.bootstrap import assemble

    none = assemble(settings_from_env({}, maintenance_windows=("none",)))
    assert none.services.health._monitor.policy.windows == ()
    with pytest.raises(SettingsError, match="maintenance window"):
        assemble(settings_from_env({}, maintenance_windows=("someday 99:00-01:00",)))


def test_bad_monitor_probe_is_refused():
    with pytest.raises(SettingsError, match="monitor_probe"):
        settings_from_env({"IBKR_MCP_MONITOR_PROBE": "SPY"})


DOCKER = ["serve", "--ib-gateway-username", "trader", "--ib-gateway-password", "pw-0123456789"]


def test_gateway_env_reaches_the_docker_gateway():
    from entrypoints.bootstrap import _make_runtime

    settings = settings_from_cli(
        [
            *DOCKER,
            *("--gateway-env", "TWOFA_TIMEOUT_ACTION=restart"),
            *("--gateway-env", "AUTO_RESTART_TIME=11:59 PM"),
        ],
        {},
    )
    runtime = _make_runtime(settings)
    assert runtime.settings.env == {  # type: ignore[attr-defined]
        "TWOFA_TIMEOUT_ACTION": "restart",
        "AUTO_RESTART_TIME": "11:59 PM",
    }
    from_env = settings_from_env({"IBKR_MCP_GATEWAY_ENV": "TIME_ZONE=Europe/Zurich, A_B=1"})
    assert from_env.gateway_extra_env() == {"TIME_ZONE": "Europe/Zurich", "A_B": "1"}


@pytest.mark.parametrize(
    ("item", "needle"),
    [
        ("NO_EQUALS_SIGN", "KEY=VALUE"),
        ("1BAD=x", "KEY=VALUE"),
        ("TWS_PASSWORD=leaked-secret", "must not carry TWS_PASSWORD"),
        ("my_password_file=/x", "must not carry my_password_file"),
    ],
)
def test_bad_gateway_env_is_refused(item: str, needle: str):
    with pytest.raises(SettingsError, match=needle) as caught:
        settings_from_env({}, gateway_env=(item,))
    assert "leaked-secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("flavor", "key"),
    [("gnzsnz", "TRADING_MODE"), ("gnzsnz", "TWS_USERID"), ("extrange", "IBC_TradingMode")],
)
def test_gateway_env_cannot_override_what_the_service_sets(flavor: str, key: str):
    from entrypoints.bootstrap import _make_runtime

    settings = settings_from_cli(
        [*DOCKER, "--gateway-flavor", flavor, "--gateway-env", f"{key}=live"], {}
    )
    with pytest.raises(SettingsError, match=f"must not set {key}: the service sets it"):
        _make_runtime(settings)


def test_allowed_hosts_and_origins_are_service_wide_and_keep_their_former_names():
    new = settings_from_env(
        {
            "IBKR_MCP_ALLOWED_HOSTS": "api.example.com",
            "IBKR_MCP_ALLOWED_ORIGINS": "https://a.example",
        }
    )
    old = settings_from_env(
        {
            "IBKR_MCP_MCP_ALLOWED_HOSTS": "api.example.com",
            "IBKR_MCP_MCP_ALLOWED_ORIGINS": "https://a.example",
        }
    )
    assert new == old
    assert (new.allowed_hosts, new.allowed_origins) == (
        ("api.example.com",),
        ("https://a.example",),
    )
    both = settings_from_env(
        {"IBKR_MCP_ALLOWED_HOSTS": "new.example", "IBKR_MCP_MCP_ALLOWED_HOSTS": "old.example"}
    )
    assert both.allowed_hosts == ("new.example",)  # the new name wins
    for flags in (
        ["--allowed-hosts", "h.example", "--allowed-origins", "http://localhost:6274"],
        ["--mcp-allowed-hosts", "h.example", "--mcp-allowed-origins", "http://localhost:6274"],
    ):
        settings = settings_from_cli(["serve", *flags], {})
        assert settings.allowed_hosts == ("h.example",)
        assert settings.allowed_origins == ("http://localhost:6274",)


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"IBKR_MCP_ALLOWED_HOSTS": "*"}, "allowed_hosts .* DNS rebinding"),
        ({"IBKR_MCP_ALLOWED_HOSTS": "a.example/x"}, "allowed_hosts"),
        ({"IBKR_MCP_ALLOWED_ORIGINS": "*"}, "allowed_origins .* any page could then trade"),
        ({"IBKR_MCP_MCP_ALLOWED_ORIGINS": "null"}, "allowed_origins"),
        ({"IBKR_MCP_ALLOWED_ORIGINS": "https://*"}, "allowed_origins"),
        # a wildcard over a whole top-level domain would let any .com page (or host) in
        ({"IBKR_MCP_ALLOWED_HOSTS": "*.com"}, "allowed_hosts"),
        ({"IBKR_MCP_ALLOWED_ORIGINS": "https://*.com"}, "allowed_origins"),
        ({"IBKR_MCP_ALLOWED_ORIGINS": "https://a.example/app"}, "no path"),
        ({"IBKR_MCP_ALLOWED_ORIGINS": "console.example"}, "scheme://host"),
    ],
)
def test_allowed_hosts_and_origins_cannot_switch_the_protection_off(env, needle):
    with pytest.raises(SettingsError, match=needle):
        settings_from_env(env)


def test_the_simulator_keeps_its_own_default_audit_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    simulated = settings_from_env({})
    external = settings_from_env({}, gateway="external")
    docker = settings_from_env(
        {}, ib_gateway_username="u", ib_gateway_password=Secret("pw-0123456789")
    )
    assert simulated.audit_path() == tmp_path / "ibkr-mcp" / "audit-simulated.jsonl"
    assert external.audit_path() == docker.audit_path() == tmp_path / "ibkr-mcp" / "audit.jsonl"
    chosen = tmp_path / "mine.jsonl"
    assert settings_from_env({}, audit_file=chosen).audit_path() == chosen


def test_tool_profile_and_toolsets_from_flags_over_the_environment():
    from entrypoints.toolsets import ToolSelection

    default = settings_from_env({})
    assert (default.tool_profile, default.toolsets, default.mcp_output_schemas) == (
        "standard",
        (),
        False,
    )
    env = {"IBKR_MCP_TOOLSETS": "gateway", "IBKR_MCP_TOOL_PROFILE": "full"}
    assert settings_from_env(env).tool_selection() == ToolSelection(frozenset({"gateway"}))
    for command in ("serve", "stdio"):
        settings = settings_from_cli(
            [command, "--tool-profile", "read-only", "--toolsets", "account, scanner"], {}
        )
        selection = settings.tool_selection()
        assert selection == ToolSelection(frozenset({"account", "scanner"}), queries_only=True)


def test_an_unknown_tool_profile_flag_is_a_settings_error():
    with pytest.raises(
        SettingsError, match="the profiles are standard, trading, read-only, research, full"
    ):
        settings_from_cli(["stdio", "--tool-profile", "all"], {})


def test_a_keep_alive_below_a_second_is_refused():
    with pytest.raises(SettingsError, match="stream_heartbeat must be at least 1"):
        settings_from_env({"IBKR_MCP_STREAM_HEARTBEAT": "0.0001"})
