"""Scanner tools: run a market scan, list what scans the gateway supports."""

from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from pydantic import Field

from application.container import Services
from domain.scanner import ScannerParameters, ScanQuery, ScanResults, parse_filter_codes
from entrypoints.mcp.toolkit import READ_BROKER, ibkr_tool, to_result


def scanner_tools(services: Services) -> list[Callable[..., Any]]:
    scanner = services.scanner

    @ibkr_tool(annotations=READ_BROKER, output=ScanResults, title="Market scanner")
    async def get_scanner_results(
        instrument: Annotated[
            str,
            Field(
                description="What to scan: STK (US stocks), STOCK.EU, STOCK.HK, FUT.US, IND.US, "
                "... (see get_scanner_parameters)",
                max_length=32,
            ),
        ] = "STK",
        location_code: Annotated[
            str,
            Field(
                description="Where to scan, e.g. STK.US.MAJOR (NYSE, NASDAQ, AMEX), STK.US, "
                "STK.NASDAQ, STK.EU.LSE (see get_scanner_parameters)",
                max_length=64,
            ),
        ] = "STK.US.MAJOR",
        scan_code: Annotated[
            str,
            Field(
                description="Ranking, e.g. MOST_ACTIVE, TOP_PERC_GAIN, TOP_PERC_LOSE, "
                "HOT_BY_VOLUME, HIGH_OPT_IMP_VOLAT (see get_scanner_parameters)",
                max_length=64,
            ),
        ] = "MOST_ACTIVE",
        filter_codes: Annotated[
            list[Annotated[str, Field(max_length=64)]] | None,
            Field(
                description="Extra IB scanner filters as '<name><number>' or '<name>=<value>', "
                "e.g. ['priceAbove5', 'volume_avg_1000', 'marketCapAbove=1e9']",
                max_length=20,
            ),
        ] = None,
        above_price: Annotated[
            float | None, Field(ge=0, description="Only prices above this, in USD")
        ] = None,
        below_price: Annotated[
            float | None, Field(ge=0, description="Only prices below this, in USD")
        ] = None,
        above_volume: Annotated[
            int | None, Field(ge=0, description="Only a day's volume above this many shares")
        ] = None,
        market_cap_above: Annotated[
            float | None,
            Field(ge=0, description="Only market capitalisation above this, in USD"),
        ] = None,
        market_cap_below: Annotated[
            float | None,
            Field(ge=0, description="Only market capitalisation below this, in USD"),
        ] = None,
        rows: Annotated[
            int, Field(ge=1, le=50, description="How many ranked results, 1 to 50")
        ] = 50,
    ) -> dict[str, Any]:
        """Run an IB market scanner and return its ranked results: contract id, symbol, sec
        type, exchange and, when IB provides them, last price, change %, volume, market cap,
        P/E and sector.

        Use it to find candidates (most active, top gainers, ...); then quote them with
        get_tickers. get_scanner_parameters lists valid instruments, locations and scan codes."""
        query = msgspec.convert(
            {
                "instrument": instrument,
                "location_code": location_code,
                "scan_code": scan_code,
                "filters": parse_filter_codes(",".join(filter_codes or [])),
                "above_price": above_price,
                "below_price": below_price,
                "above_volume": above_volume,
                "market_cap_above": market_cap_above,
                "market_cap_below": market_cap_below,
                "rows": rows,
            },
            ScanQuery,
        )
        return to_result(await scanner.results(query))

    @ibkr_tool(annotations=READ_BROKER, output=ScannerParameters, title="Scanner parameters")
    async def get_scanner_parameters() -> dict[str, Any]:
        """What the gateway's scanners accept: instruments, location codes, scan codes and
        filter names.

        Use it before get_scanner_results when unsure which codes are valid."""
        return to_result(await scanner.parameters())

    return [get_scanner_results, get_scanner_parameters]
