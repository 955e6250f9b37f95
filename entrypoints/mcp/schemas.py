"""Result shapes only the MCP front door needs: lists wrapped in an object, as MCP asks."""

from __future__ import annotations

import msgspec
from msgspec import UNSET, UnsetType

from domain.account import AccountValue, Position
from domain.contract import ContractDetailsResult
from domain.orders import OpenOrder
from domain.safety import AuditEntry


class PositionList(msgspec.Struct, frozen=True, kw_only=True):
    """The account's holdings, sorted by asset class and symbol."""

    positions: list[Position]
    count: int


class AccountValueList(msgspec.Struct, frozen=True, kw_only=True):
    """Raw account values (key, value text, currency) as IB reports them."""

    account_values: list[AccountValue]
    count: int


class OpenOrderList(msgspec.Struct, frozen=True, kw_only=True):
    """Orders still working (or waiting) at the broker, by order id."""

    open_orders: list[OpenOrder]
    count: int


class AuditTrail(msgspec.Struct, frozen=True, kw_only=True):
    """The latest order actions recorded in the audit trail, newest first."""

    entries: list[AuditEntry]
    count: int


class ContractDetailsAnswer(ContractDetailsResult, frozen=True, kw_only=True):
    """One qualified contract, or the candidates when the query matches several (capped)."""

    truncated: bool | UnsetType = UNSET
    message: str | UnsetType = UNSET
