"""Prompts: ready-made plans that walk an agent through the tools for common jobs.

A prompt is offered only when every tool it names is: a plan whose step calls a tool outside
the server's toolsets would fail half way (``NEEDS`` lists them; a test checks the texts).
Where a plan has a variant for servers without some of its tools (``FALLBACKS``), those get
the variant instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastmcp import FastMCP
from pydantic import Field

NEEDS: dict[str, frozenset[str]] = {
    "portfolio_review": frozenset({"get_account_summary", "get_positions", "get_open_orders"}),
    "explore_option_chain": frozenset({"get_options_chain", "get_option_chain_quotes"}),
    "research_company": frozenset(
        {
            "search_symbols",
            "get_market_data_snapshot",
            "get_fundamentals",
            "get_corporate_events",
            "get_news",
            "get_news_article",
        }
    ),
    "pre_trade_checklist": frozenset(
        {
            "get_contract_details",
            "get_market_data_snapshot",
            "get_account_summary",
            "get_positions",
            "get_open_orders",
            "preview_order",
            "place_order",
        }
    ),
}


def offered_prompts(offered: set[str] | None = None) -> dict[str, Callable[..., str]]:
    """Each prompt whose tools are all ``offered`` (default: all of them), or its fallback
    plan when that one's are."""
    chosen: dict[str, Callable[..., str]] = {}
    for name, (_title, prompt) in PROMPTS.items():
        if offered is None or NEEDS[name] <= offered:
            chosen[name] = prompt
        elif name in FALLBACKS and FALLBACKS[name][0] <= offered:
            chosen[name] = FALLBACKS[name][1]
    return chosen


def add_prompts(mcp: FastMCP, offered: set[str] | None = None) -> None:
    for name, prompt in offered_prompts(offered).items():
        mcp.prompt(name=name, title=PROMPTS[name][0])(prompt)


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


def explore_option_chain(
    symbol: Annotated[str, Field(description="Underlying symbol, e.g. AAPL")],
) -> str:
    """Compare the options of an underlying near the money: quotes, volatility and greeks."""
    return (
        f"Explore the options on {symbol}.\n"
        f'1. Call get_options_chain with underlying_symbol="{symbol}" and no filters. Pick '
        "the SMART chain whose trading class matches the symbol and note its expirations.\n"
        f'2. Call get_option_chain_quotes with underlying_symbol="{symbol}", the next two '
        "expirations and max_distance_pct=5 (add trading_class if the chain needed one). "
        "Should it say the filter selects too many contracts, lower max_distance_pct or ask "
        "for calls or puts only.\n"
        "3. Present a table per expiration, calls beside puts by strike: bid, ask, iv, delta, "
        "open_interest and volume, and the underlying_price. Point out where implied "
        "volatility is highest, the strikes with the most open interest, and wide bid-ask "
        "spreads. If next_cursor is set, say that more strikes were not shown."
    )


def explore_option_chain_by_tickers(
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


def pre_trade_checklist(
    symbol: Annotated[str, Field(description="Symbol to trade, e.g. AAPL")],
    action: Annotated[str, Field(description="BUY or SELL")] = "BUY",
    quantity: Annotated[str, Field(description="Number of shares or contracts")] = "1",
) -> str:
    """Checks to run before placing an order, ending with a confirmation question."""
    return (
        f"Prepare to {action} {quantity} {symbol}; do not place the order yet.\n"
        f'1. get_contract_details with symbol="{symbol}": settle on one con_id. Should it '
        "answer not_connected, stop and report that.\n"
        "2. get_market_data_snapshot with that contract_id: note bid, ask, last and whether "
        "the data is delayed.\n"
        "3. get_account_summary and get_positions: check buying power and the current "
        "position in this contract.\n"
        "4. get_open_orders: make sure no similar order is already working.\n"
        "5. preview_order with the proposed order (type, limit price, time in force): note "
        "the commission and margin impact.\n"
        "6. Propose the order and its cost, and ask the user to confirm. Only after an "
        "explicit yes call place_order with the identical arguments, a fresh "
        "client_order_id and the confirmation_token from the preview."
    )


def research_company(
    company: Annotated[str, Field(description="Symbol or part of a company name, e.g. apple")],
) -> str:
    """Research a listed company before trading it: identity, price, fundamentals, events, news."""
    return (
        f'Research "{company}" for a trading decision; do not place any order.\n'
        f'1. search_symbols with pattern="{company}": pick the common stock (sec_type STK) on '
        "its primary exchange; if several fit, list them and ask which one. Use its "
        "contract_id from here on.\n"
        "2. get_market_data_snapshot with that contract_id: last, bid, ask, and whether the "
        "data is delayed (market_data_type).\n"
        "3. get_fundamentals with report_type ReportSnapshot: sector, market cap, shares, "
        "ratios; then ReportsFinSummary for the trend of revenue and earnings per period.\n"
        "4. get_corporate_events: the next earnings date and dividends.\n"
        "5. get_news (limit 10): the latest headlines; open the one or two that matter most "
        "with get_news_article.\n"
        "6. Summarise: what the company is, valuation against its figures, what is coming "
        "(events), what the news says, and the risks. Say which data was missing (an error "
        "naming a subscription the account lacks is an answer, not a failure)."
    )


# The option-chain plan without get_option_chain_quotes: contracts first, then a few quotes.
FALLBACKS: dict[str, tuple[frozenset[str], Callable[..., str]]] = {
    "explore_option_chain": (
        frozenset(
            {"get_market_data_snapshot", "get_contract_details", "get_options_chain", "get_tickers"}
        ),
        explore_option_chain_by_tickers,
    ),
}

PROMPTS: dict[str, tuple[str, Callable[..., str]]] = {
    "portfolio_review": ("Portfolio review", portfolio_review),
    "explore_option_chain": ("Explore an option chain", explore_option_chain),
    "pre_trade_checklist": ("Pre-trade checklist", pre_trade_checklist),
    "research_company": ("Research a company", research_company),
}
