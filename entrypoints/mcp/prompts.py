"""Prompts: ready-made plans that walk an agent through the tools for common jobs."""

from __future__ import annotations

from typing import Annotated

from fastmcp import FastMCP
from pydantic import Field


def add_prompts(mcp: FastMCP) -> None:
    @mcp.prompt(name="portfolio_review", title="Portfolio review")
    def portfolio_review(
        account_id: Annotated[
            str, Field(description="IB account id; empty for the default account")
        ] = "",
    ) -> str:
        """Review the account: size, cash, positions, concentration, open orders."""
        account = f" for account {account_id}" if account_id else ""
        args = f' with account_id="{account_id}"' if account_id else ""
        return (
            f"Review the Interactive Brokers portfolio{account}.\n"
            f"1. Call get_account_summary{args}: note net liquidation value, cash, buying "
            "power, leverage and unrealized PnL.\n"
            f"2. Call get_positions{args}. For each position give its share of net "
            "liquidation value and its unrealized PnL; flag any position above 20% and any "
            "option expiring within 30 days.\n"
            "3. Call get_open_orders and list what is still working.\n"
            "4. Summarise in a short table, then list risks and questions for the owner. "
            "Do not place or cancel any order."
        )

    @mcp.prompt(name="explore_option_chain", title="Explore an option chain")
    def explore_option_chain(
        symbol: Annotated[str, Field(description="Underlying symbol, e.g. AAPL")],
    ) -> str:
        """Find the option chain of an underlying and list contracts near the money."""
        return (
            f"Explore the options on {symbol}.\n"
            f'1. Call get_market_data_snapshot with symbol="{symbol}" for the underlying '
            "price (and get_contract_details if the symbol is ambiguous; use the con_id).\n"
            f'2. Call get_options_chain with underlying_symbol="{symbol}" and no filters. '
            "Pick the SMART chain (or the one whose trading class matches the symbol) and "
            "note its expirations and strikes.\n"
            "3. Call get_options_chain again with that exchange and filters: the next two "
            "expirations and the five strikes nearest the underlying price (rights both).\n"
            "4. Quote a few contracts with get_tickers (their con_ids) and present expiry, "
            "strike, right, bid, ask, implied volatility and delta in a table."
        )

    @mcp.prompt(name="pre_trade_checklist", title="Pre-trade checklist")
    def pre_trade_checklist(
        symbol: Annotated[str, Field(description="Symbol to trade, e.g. AAPL")],
        action: Annotated[str, Field(description="BUY or SELL")] = "BUY",
        quantity: Annotated[str, Field(description="Number of shares or contracts")] = "1",
    ) -> str:
        """Checks to run before placing an order, ending with a confirmation question."""
        return (
            f"Prepare to {action} {quantity} {symbol}; do not place the order yet.\n"
            "1. get_connection_status: stop if not connected.\n"
            f'2. get_contract_details with symbol="{symbol}": settle on one con_id.\n'
            "3. get_market_data_snapshot with that contract_id: note bid, ask, last and whether "
            "the data is delayed.\n"
            "4. get_account_summary and get_positions: check buying power and the current "
            "position in this contract.\n"
            "5. get_open_orders: make sure no similar order is already working.\n"
            "6. preview_order with the proposed order (type, limit price, time in force): note "
            "the commission and margin impact.\n"
            "7. Propose the order and its cost, and ask the user to confirm. Only after an "
            "explicit yes call place_order with the identical arguments, a fresh "
            "client_order_id and the confirmation_token from the preview."
        )
