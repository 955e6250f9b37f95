"""What an operation is, once: name, texts, input and output structs, nature, errors, call.

The REST door (``entrypoints/http/operations.py``) and the MCP door
(``entrypoints/mcp/tools.py``) render every ``Operation`` of the catalog; neither declares a
parameter of its own. What only one door has is declared here too, beside the operation:
``Extra`` inputs (REST headers, the MCP ``confirmation_token``), the REST path and the MCP
result shape (lists wrapped in an object, answers capped for a context window).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, TypeVar

import msgspec

from application.container import Services
from domain.errors import (
    BrokerTimeout,
    CompetingSession,
    DomainError,
    MarketDataNotSubscribed,
    NotConnected,
    NotSupported,
)
from domain.safety import Caller

HttpMethod = Literal["GET", "POST", "PATCH", "DELETE"]
# How a long call tells its caller how far it got: (progress, total, message). The MCP door
# sends it as progress notifications when the caller asked for them; REST has none.
Progress = Callable[[float, float | None, str], Awaitable[None]]


class Effect(Enum):
    """What an operation does to the world: drives the HTTP method and the MCP hints."""

    READ = "read"  # changes nothing (GET)
    WRITE = "write"  # changes state that a repeat or a later call restores (POST)
    DESTRUCTIVE = "destructive"  # changes what cannot be taken back: orders, restarts (POST)


@dataclass(frozen=True, slots=True)
class Nature:
    effect: Effect
    idempotent: bool  # calling twice has the effect of calling once
    reaches_ib: bool  # asks Interactive Brokers (MCP's "open world")
    offered_read_only: bool  # offered when the service runs --read-only


# Presets: every operation of the catalog is one of these.
QUERY = Nature(Effect.READ, idempotent=True, reaches_ib=True, offered_read_only=True)
LOCAL_QUERY = Nature(Effect.READ, idempotent=True, reaches_ib=False, offered_read_only=True)
# Asks IB and issues a single-use token; changes nothing at the broker, but is an order action.
PREVIEW = Nature(Effect.READ, idempotent=False, reaches_ib=True, offered_read_only=False)
RECONNECT = Nature(Effect.WRITE, idempotent=True, reaches_ib=True, offered_read_only=True)
ORDER = Nature(Effect.DESTRUCTIVE, idempotent=False, reaches_ib=True, offered_read_only=False)
CANCEL = Nature(Effect.DESTRUCTIVE, idempotent=True, reaches_ib=True, offered_read_only=False)
# Sending the same new terms twice leaves the order as once.
MODIFY = Nature(Effect.DESTRUCTIVE, idempotent=True, reaches_ib=True, offered_read_only=False)
# A restart drops every session and may ask the account holder for a new 2FA login.
RESTART = Nature(Effect.DESTRUCTIVE, idempotent=False, reaches_ib=False, offered_read_only=False)

# What any call that reaches IB may answer besides its own errors.
BROKER_ERRORS: tuple[type[DomainError], ...] = (NotConnected, BrokerTimeout)
# What market data the account is not subscribed to answers (403, 409): IB's 354, 10089, ...
SUBSCRIPTION_ERRORS: tuple[type[DomainError], ...] = (MarketDataNotSubscribed, CompetingSession)
S = TypeVar("S")


def offered(service: S | None, what: str) -> S:
    """The service behind an operation, or 501 ``not_supported`` when the broker this service
    runs with cannot do it (a custom broker without that capability): never a bare 500."""
    if service is None:
        raise NotSupported(f"This service's broker does not offer {what}")
    return service


@dataclass(frozen=True, slots=True)
class Extra:
    """A door-specific input beside the operation's input struct, handed to the call by name.

    ``type`` is an annotated type like an input field's (description, bounds). On REST it is
    the ``header`` of that name, or a query parameter when ``query``; on MCP an argument when
    ``mcp``.
    """

    name: str
    type: Any
    header: str | None = None
    query: bool = False
    mcp: bool = False


@dataclass(frozen=True, slots=True)
class Rest:
    """Where the operation lives in the API contract; ``{name}`` segments are input fields."""

    path: str
    tag: str
    method: HttpMethod | None = None  # default: GET for reads, POST for the rest
    # The status of a successful answer when the result decides it (readiness: 200 or 503).
    status_of: Callable[[Any], int] | None = None


@dataclass(frozen=True, slots=True)
class ResultLimits:
    """How much one MCP answer may hold: agents read results into a context window."""

    max_option_contracts: int = 100
    max_bars: int = 500
    max_log_lines: int = 500


@dataclass(frozen=True, slots=True)
class Paging:
    """A list answer in pages (``paging.py``): each door cuts it to ``limit`` items after
    ``cursor``; the MCP door by default to a page that stays under about 20 KB."""

    key: Callable[[Any], object]  # what a cursor names an item by
    mcp_default: int  # the page size on MCP when no limit is given (keeps it under ~20 KB)
    maximum: int  # the largest page a caller may ask for
    items: str | None = None  # the result's list field; None: the result is the list
    rest_default: int | None = None  # REST's page size when no limit is given; None: all
    from_end: bool = False  # oldest-first lists: the first page is the latest items
    what: str = "items"  # in the message of a cut answer
    cap: str | None = None  # the ResultLimits field no MCP page exceeds (the server's limits)


@dataclass(frozen=True, slots=True)
class Mcp:
    """How the MCP door answers: MCP results are objects, and sized for a context window."""

    # A list result is answered as ``{list_key: [...], "count": n}``.
    list_key: str | None = None
    # Cuts a result to the limits; ``output`` is its type when that differs from the REST one.
    shape: Callable[[Any, ResultLimits], Any] | None = None
    output: Any = None
    # Appended to the description; ``{max_bars}`` and friends are the server's ResultLimits.
    note: str = ""
    # The tool whose input (the same struct) this one takes: listed beside it, this one's
    # schema leaves the fields' descriptions to that tool's (a preview to its placing).
    same_input_as: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """What a use-case call gets besides its input: the services, the caller (for the audit
    trail) and the values of the door's ``Extra`` inputs (absent ones are not in ``extras``)."""

    services: Services
    caller: Caller
    extras: Mapping[str, Any] = field(default_factory=dict)
    # Set by a door that can tell the caller how a long call goes (operations that declare
    # ``reports_progress``, and only when the caller asked): see ``progress.py``.
    progress: Progress | None = None


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the API, declared once.

    ``name`` is the REST operation id and the MCP tool name; ``description`` is written for
    people and agents alike (the OpenAPI description and the tool description). ``input`` is
    a msgspec struct whose fields carry descriptions, bounds, enums, defaults and examples
    (None: no input); ``output`` the result type. ``errors`` are the domain errors it may
    answer besides invalid input (REST documents their statuses). ``call`` runs the use case.
    ``toolset`` is the MCP toolset it belongs to (``entrypoints/toolsets.py``): the catalog
    sets it from the operation's area module.
    """

    name: str
    title: str
    description: str
    input: type[msgspec.Struct] | None
    output: Any
    nature: Nature
    errors: tuple[type[DomainError], ...]
    call: Callable[[Any, Call], Awaitable[Any]]
    rest: Rest
    mcp: Mcp = Mcp()
    extras: tuple[Extra, ...] = ()
    toolset: str = ""
    paging: Paging | None = None
    # The call may take more than about a second and reports how it goes (Call.progress).
    reports_progress: bool = False

    @property
    def http_method(self) -> HttpMethod:
        if self.rest.method is not None:
            return self.rest.method
        return "GET" if self.nature.effect is Effect.READ else "POST"

    @property
    def path_fields(self) -> tuple[str, ...]:
        """The input fields that are segments of the REST path."""
        return tuple(part[1:-1] for part in self.rest.path.split("/") if part.startswith("{"))
