"""Every example in README.md, run as a reader would run it, on the embedded simulator.

The examples are read from README.md itself, so an example edited or added later is tested
without touching this file. Every fenced code block is either run or carries, on the line
just before it, a marker saying what it is:

``<!-- example: not-run (why) -->``
    not run, with the reason (a Docker daemon, an IB position that changes by the day, ...);
``<!-- example: service (...) -->``
    the quick start: the module's service is started with the block's first command;
``<!-- example: response -->``
    the JSON the example just above answers: its keys (and value kinds) must be in the real
    answer (``, ...`` elides the rest);
``<!-- example: body of POST /path -->`` (or ``bodies of``)
    JSON request bodies, one after another: each is sent and must be answered 2xx;
``<!-- example: excerpt of path/to/module.py -->``
    Python quoted from that module: run in its namespace, it must declare what the module does.

Unmarked blocks run by their language: ``bash`` as a script (every ``curl`` fails on an HTTP
error status), ``console`` as one ``$ command`` and the first lines it prints, ``python`` in a
subprocess of the project's interpreter (its stderr must stay empty), ``json`` as an MCP
client configuration (``mcpServers``) that a real fastmcp ``Client`` connects with. Anything
else fails, asking for a marker.

The README's addresses are replaced by the test's: ``:8000`` by the service's loopback port
(set through ``IBKR_MCP_PORT``, so the commands stay as written), ``4002`` in Python by a
standalone simulator started as the README says (``uv run ibkr-mcp simulate --port ...``),
``--host 0.0.0.0`` by ``127.0.0.1`` (tests stay on loopback) and other host names resolve to
127.0.0.1 (curl's ``--resolve``). A service an example starts in the background (``... &``)
gets its own free port, and the script waits for it to be ready as a reader would.

The examples run in README order against one service, like a reader following the README:
cancel-all answers the orders the bracket and OCA examples placed just before it.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import importlib
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from fastmcp import Client

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
LIMIT = 60.0

FENCE = re.compile(r"^```(?P<lang>\S*)\s*$")
MARKER = re.compile(r"^<!-- example: (?P<kind>[\w-]+)(?: (?P<arg>.*?))? -->$")
KINDS = ("not-run", "service", "response", "body", "bodies", "excerpt", "output")
RUN_BY_LANGUAGE = ("bash", "sh", "console", "python", "json")
ELISION = re.compile(r",\s*\.\.\.(?=\s*[,}\]])")  # `, ...` before `}`, `]` or `,`
README_PORT = re.compile(r"(?<=[\w.\]]):8000\b")
HOST_IN_URL = re.compile(r"https?://([\w.-]+):8000\b")
LOOPBACK_NAMES = ("127.0.0.1", "localhost")
# MOC/LOC are refused in the ten minutes before the close, as the README says (and IB does).
AUCTION_CUTOFF = "10 minutes before the close"


@dataclass(frozen=True)
class Block:
    line: int  # the opening fence's line, 1-based
    lang: str
    code: str
    kind: str  # the marker's kind, "" when unmarked
    arg: str  # the marker's text after its kind

    def __str__(self) -> str:
        return f"README.md:{self.line}-{self.lang or 'text'}"


def read_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        marker = MARKER.match(lines[i - 1]) if i else None
        blocks.append(
            Block(
                line=i + 1,
                lang=fence["lang"],
                code="\n".join(lines[i + 1 : end]) + "\n",
                kind=marker["kind"] if marker else "",
                arg=(marker["arg"] or "") if marker else "",
            )
        )
        i = end + 1
    return blocks


BLOCKS = read_blocks(README.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Example:
    block: Block
    responses: tuple[Block, ...]  # the `response` blocks right after it


def examples() -> list[Example]:
    found: list[Example] = []
    for block in BLOCKS:
        if block.kind == "response":
            if found and found[-1].block == BLOCKS[BLOCKS.index(block) - 1]:
                last = found[-1]
                found[-1] = Example(last.block, (*last.responses, block))
            continue  # test_every_block_is_run_or_says_why_not reports a stray response
        if block.kind in ("not-run", "service"):
            continue
        found.append(Example(block, ()))
    return found


EXAMPLES = examples()


def test_every_block_is_run_or_says_why_not() -> None:
    problems = []
    for index, block in enumerate(BLOCKS):
        if block.kind and block.kind not in KINDS:
            problems.append(f"{block}: unknown marker {block.kind!r} (known: {KINDS})")
        if block.kind in ("not-run", "service") and not re.fullmatch(r"\(.{10,}\)", block.arg):
            problems.append(f"{block}: `{block.kind}` needs a reason in parentheses")
        if block.kind == "response":
            before = BLOCKS[index - 1] if index else None
            if before is None or before.kind not in ("", "body", "bodies") or before.lang == "json":
                problems.append(f"{block}: a response must follow the example that answers it")
        if block.kind == "excerpt" and not (ROOT / block.arg.removeprefix("of ")).is_file():
            problems.append(f"{block}: `excerpt of` names no file of the project")
        if block.kind in ("body", "bodies") and not re.fullmatch(
            r"of (POST|PUT|PATCH|DELETE) /\S+", block.arg
        ):
            problems.append(f"{block}: `{block.kind}` needs `of METHOD /path`")
        if not block.kind and block.lang not in RUN_BY_LANGUAGE:
            problems.append(
                f"{block}: a block without a language this test runs ({RUN_BY_LANGUAGE}) needs"
                " a marker, e.g. <!-- example: not-run (why) -->"
            )
    assert not problems, "\n".join(problems)
    assert [b for b in BLOCKS if b.kind == "service"], "the quick start names the service"
    # Most of the README is run, not excused.
    assert len([b for b in BLOCKS if b.kind == "not-run"]) <= 4


# --- the services the examples talk to -------------------------------------------------------


@dataclass(frozen=True)
class Service:
    port: int
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reader_env(state: Path) -> dict[str, str]:
    """The environment of a reader: ours without IBKR_MCP_* settings, a private state dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IBKR_MCP_")}
    return env | {"XDG_STATE_HOME": str(state)}


def stop(process: subprocess.Popen[Any]) -> None:
    """End a process started in its own session, and whatever it left running there."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def quick_start_command() -> str:
    block = next(b for b in BLOCKS if b.kind == "service")
    return block.code.splitlines()[0].split("#")[0].strip()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The quick start's service, started with its command as written (the port comes from
    ``IBKR_MCP_PORT``), ready once ``/health`` answers 200."""
    command = quick_start_command()
    assert command == "uv run ibkr-mcp", command
    assert shutil.which("curl"), "the README's examples use curl: install it (.ci/run does)"
    port = free_port()
    env = reader_env(tmp_path_factory.mktemp("readme-state")) | {"IBKR_MCP_PORT": str(port)}
    log = tmp_path_factory.mktemp("readme-log") / "service.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + LIMIT
        while True:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the service did not become ready"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield Service(port, env)
    finally:
        stop(process)


@pytest.fixture(scope="module")
def simulator_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The simulator alone, started as the README's simulator section says."""
    text = README.read_text(encoding="utf-8")
    assert "`uv run ibkr-mcp simulate --port 4002" in text
    port = free_port()
    env = reader_env(tmp_path_factory.mktemp("readme-sim"))
    process = subprocess.Popen(
        ["bash", "-c", f"uv run ibkr-mcp simulate --port {port}"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + LIMIT
        while True:
            assert process.poll() is None, "the simulator exited"
            assert time.monotonic() < deadline, "the simulator did not start"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        stop(process)


# --- how each kind of example runs ---------------------------------------------------------

BASH_PRELUDE = """\
set -euo pipefail
# What a reader does after starting a service in the background: wait until it is ready.
__await_service() {
  local auth=() code
  if [ -n "${TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $TOKEN"); fi
  for _ in $(seq 600); do
    if ! kill -0 "$!" 2>/dev/null; then
      echo "the service started in the background exited" >&2
      return 1
    fi
    code=$(curl -q -s -o /dev/null -w '%{http_code}' "${auth[@]}" \\
      "http://127.0.0.1:$IBKR_MCP_PORT/health" || true)
    case "$code" in
      200) return 0 ;;
      401) echo "the service wants a token: the example sets no \\$TOKEN" >&2; return 1 ;;
    esac
    sleep 0.1
  done
  echo "the service started in the background did not become ready" >&2
  return 1
}
"""
BACKGROUND_SERVICE = re.compile(r"(?m)^([^#\n]*\buv run ibkr-mcp\b[^#\n]*&)[ \t]*(#.*)?$")


def localize(text: str, port: int) -> str:
    text = README_PORT.sub(f":{port}", text)
    return text.replace("--host 0.0.0.0", "--host 127.0.0.1")


def curl_home(where: Path, code: str, port: int) -> Path:
    """A curlrc for the example: fail on an HTTP error, quietly; other names to loopback."""
    lines = ["fail-with-body", "silent", "show-error", "max-time = 30"]
    for host in sorted(set(HOST_IN_URL.findall(code)) - set(LOOPBACK_NAMES)):
        lines.append(f'resolve = "{host}:{port}:127.0.0.1"')
    where.mkdir(parents=True, exist_ok=True)
    (where / ".curlrc").write_text("\n".join(lines) + "\n")
    return where


def run_bash(block: Block, service: Service, tmp: Path) -> str:
    """Run the block as a script; answer its stdout."""
    background = BACKGROUND_SERVICE.search(block.code) is not None
    port = free_port() if background else service.port
    script = BACKGROUND_SERVICE.sub(r"\1\n__await_service", localize(block.code, port))
    env = service.env | {
        "IBKR_MCP_PORT": str(port),
        "CURL_HOME": str(curl_home(tmp / "curl", block.code, port)),
    }
    # Files, not pipes: a service left running in the background would hold a pipe open.
    stdout, stderr = tmp / "stdout", tmp / "stderr"
    with stdout.open("wb") as out_sink, stderr.open("wb") as err_sink:
        process = subprocess.Popen(
            ["bash", "-c", BASH_PRELUDE + script],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out_sink,
            stderr=err_sink,
            start_new_session=True,
        )
    try:
        process.wait(LIMIT)
    finally:
        stop(process)  # and a service the script left running in the background
    out, err = stdout.read_text(), stderr.read_text()
    assert process.returncode == 0, f"{block} exited {process.returncode}:\n{err}\n{out}"
    return out


def run_console(block: Block, service: Service, tmp: Path) -> list[str]:
    """Run the block's one ``$ command`` until it has printed as many lines as the README
    shows (a stream does not end); answer those lines."""
    lines = block.code.splitlines()
    commands = [line for line in lines if line.startswith("$ ")]
    assert len(commands) == 1 and lines[0] == commands[0], f"{block}: one `$ command` first"
    shown = [line for line in lines[1:] if line.strip()]
    env = service.env | {"CURL_HOME": str(curl_home(tmp / "curl", block.code, service.port))}
    process = subprocess.Popen(
        ["bash", "-c", localize(commands[0][2:], service.port)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        text=True,
    )
    got: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            got.put(line.rstrip("\n"))
        got.put(None)

    threading.Thread(target=pump, daemon=True).start()
    printed: list[str] = []
    deadline = time.monotonic() + 30
    try:
        while len(printed) < len(shown):
            line = got.get(timeout=max(deadline - time.monotonic(), 0.01))
            if line is None:
                break
            if line.strip():
                printed.append(line)
    except queue.Empty:
        pass
    finally:
        stop(process)
    assert len(printed) == len(shown), f"{block}: printed {printed}, the README shows {shown}"
    return printed


def run_output(block: Block, service: Service) -> None:
    """An ``output`` block: its first line is a ``$ command``; every other line it shows but
    ``...`` (an elision) is a line the command prints, in that order (80 columns wide)."""
    first, *shown = block.code.splitlines()
    assert first.startswith("$ "), f"{block}: an output block starts with its `$ command`"
    env = {**service.env, "COLUMNS": "80"}
    done = subprocess.run(
        ["bash", "-c", f"uv run --frozen {first[2:]}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=LIMIT,
        check=False,
    )
    assert done.returncode == 0, f"{block}: exited {done.returncode}: {done.stderr}"
    printed = [line.rstrip() for line in done.stdout.splitlines()]
    at = 0
    for line in (line.rstrip() for line in shown if line.strip() not in ("", "...")):
        assert line in printed[at:], f"{block}: {line!r} not printed (in order) by {first}"
        at = printed.index(line, at) + 1


def json_values(text: str) -> list[Any]:
    """Every JSON value in ``text``, one after another (the README's `, ...` elided)."""
    text = ELISION.sub("", text)
    decoder = json.JSONDecoder()
    values: list[Any] = []
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return values
        value, at = decoder.raw_decode(text, at)
        values.append(value)


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def shape_gaps(shown: Any, real: Any, path: str = "") -> list[str]:
    """Where ``real`` lacks what ``shown`` shows: keys, value kinds, list elements."""
    if shown is None:
        return []
    if kind(shown) != kind(real):
        return [f"{path or 'the answer'}: the README shows a {kind(shown)}, got {real!r:.200}"]
    if isinstance(shown, dict):
        gaps = []
        for key, value in shown.items():
            if key not in real:
                gaps.append(f"{path}.{key}: missing (has {sorted(real)})")
            else:
                gaps += shape_gaps(value, real[key], f"{path}.{key}")
        return gaps
    if isinstance(shown, list):
        return [
            f"{path}[{i}]: no element of the answer has its shape: {element!r:.200}"
            for i, element in enumerate(shown)
            if all(shape_gaps(element, candidate) for candidate in real)
        ]
    return []


def check_responses(example: Example, answered: Any) -> None:
    for response in example.responses:
        (shown,) = json_values(response.code)
        gaps = shape_gaps(shown, answered)
        assert not gaps, f"{response} does not match what {example.block} answers:\n" + "\n".join(
            gaps
        )


def run_bodies(block: Block, service: Service) -> Any:
    method, path = block.arg.removeprefix("of ").split(" ", 1)
    bodies = json_values(block.code)
    assert bodies, f"{block}: no JSON body"
    answered = None
    for body in bodies:
        reply = httpx.request(method, service.url + path, json=body, timeout=LIMIT)
        refused_for_the_hour = (
            reply.status_code == 422
            and body.get("order_type") in ("MOC", "LOC")
            and AUCTION_CUTOFF in reply.text
        )
        assert reply.is_success or refused_for_the_hour, (
            f"{block}: {method} {path} {json.dumps(body)} answered {reply.status_code} {reply.text}"
        )
        answered = reply.json()
    return answered


def run_python(block: Block, service: Service, request: pytest.FixtureRequest) -> None:
    code = localize(block.code, service.port)
    if re.search(r"\b4002\b", code):
        sim_port = request.getfixturevalue("simulator_port")
        code = re.sub(r"\b4002\b", str(sim_port), code)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=service.env,
        capture_output=True,
        text=True,
        timeout=LIMIT,
    )
    assert done.returncode == 0, f"{block}:\n{done.stderr}"
    assert done.stderr == "", f"{block} wrote to stderr:\n{done.stderr}"
    assert done.stdout.strip(), f"{block} printed nothing"


async def run_client_config(block: Block, service: Service) -> None:
    (config,) = json_values(block.code)
    servers = config["mcpServers"]
    assert len(servers) == 1, f"{block}: one server per example"
    ((name, server),) = servers.items()
    if "command" in server:
        assert shutil.which(server["command"]), f"{block}: no command {server['command']!r}"
        server["args"] = [arg.replace("/path/to/ibkr-mcp", str(ROOT)) for arg in server["args"]]
        server["env"] = {"XDG_STATE_HOME": service.env["XDG_STATE_HOME"]}
    else:
        server["url"] = localize(server["url"], service.port)
    client = Client(config)
    try:
        async with client:
            tools = {tool.name for tool in await client.list_tools()}
            info = client.server_info
    finally:
        await client.close()
    assert {"get_account_summary", "place_order", "get_market_data_snapshot"} <= tools, tools
    assert info is not None and info.name == "ibkr-mcp", (name, info)


def run_excerpt(block: Block) -> None:
    """Run the excerpt in its module's namespace: the classes it declares must have the
    module's fields and constraints, the operation it declares must be the catalog's."""
    from entrypoints.catalog import CATALOG
    from entrypoints.catalog.operation import Operation

    path = block.arg.removeprefix("of ")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    namespace = dict(vars(module))
    tree = ast.parse(block.code)
    *statements, last = tree.body
    assert isinstance(last, ast.Expr), f"{block}: ends with the declaration it shows"
    exec(compile(ast.Module(statements, type_ignores=[]), str(block), "exec"), namespace)
    shown = eval(compile(ast.Expression(last.value), str(block), "eval"), namespace)
    for node in statements:
        if isinstance(node, ast.ClassDef):
            assert schema(namespace[node.name]) == schema(getattr(module, node.name)), node.name
    assert isinstance(shown, Operation), f"{block}: shows an Operation"
    real = next(op for op in CATALOG if op.name == shown.name)
    for field in dataclasses.fields(Operation):
        mine, theirs = getattr(shown, field.name), getattr(real, field.name)
        if field.name == "toolset":  # the catalog sets it from the module
            continue
        if field.name == "description":
            for piece in (p.strip() for p in mine.split("...")):
                assert piece in theirs, f"{block}: the description is not the module's"
        elif field.name == "call":
            assert mine.__code__.co_names == theirs.__code__.co_names, f"{block}: call differs"
        elif isinstance(mine, type):
            assert mine.__name__ == theirs.__name__, f"{block}: {field.name} differs"
        else:
            assert mine == theirs, f"{block}: {field.name} {mine!r} is {theirs!r} in the module"


def schema(struct: type) -> Any:
    """A struct's JSON schema without its texts: names, types, bounds, defaults."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("description", "examples")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(msgspec.json.schema(struct))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: str(e.block))
async def test_the_example_runs(
    example: Example, service: Service, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    block = example.block
    if block.kind in ("body", "bodies"):
        check_responses(example, run_bodies(block, service))
    elif block.kind == "excerpt":
        run_excerpt(block)
    elif block.kind == "output":
        run_output(block, service)
    elif block.lang in ("bash", "sh"):
        out = run_bash(block, service, tmp_path)
        if example.responses:
            values = json_values(out)
            assert values, f"{block} printed no JSON: {out!r}"
            check_responses(example, values[-1])
    elif block.lang == "console":
        printed = run_console(block, service, tmp_path)
        shown = [line for line in block.code.splitlines()[1:] if line.strip()]
        for mine, real in zip(shown, printed, strict=True):
            field, _, value = mine.partition(": ")
            real_field, _, real_value = real.partition(": ")
            assert real_field == field, f"{block}: printed {real!r} where it shows {mine!r}"
            if field == "data":
                (shown_data,) = json_values(value)
                gaps = shape_gaps(shown_data, json.loads(real_value))
                assert not gaps, f"{block}: {real!r}\n" + "\n".join(gaps)
            else:
                assert real_value == value, f"{block}: printed {real!r} where it shows {mine!r}"
    elif block.lang == "python":
        run_python(block, service, request)
    elif block.lang == "json":
        assert "mcpServers" in block.code, f"{block}: a JSON block needs a marker saying what it is"
        await run_client_config(block, service)
    else:
        pytest.fail(f"{block}: no way to run it; mark it")
