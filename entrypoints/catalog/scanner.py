"""Market scanner operations: run a scan, list what the gateway's scanners accept."""

from __future__ import annotations

from typing import Annotated

import msgspec
import msgspec.structs
from msgspec import Meta

from domain.errors import InvalidRequest, RateLimited
from domain.scanner import ScannerParameters, ScanQuery, ScanResults, parse_filter_codes
from entrypoints.catalog.details import DETAILS
from entrypoints.catalog.fields import NonNegative
from entrypoints.catalog.operation import BROKER_ERRORS, QUERY, SUBSCRIPTION_ERRORS, Operation, Rest


class ScanInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    instrument: Annotated[
        str,
        Meta(
            max_length=32,
            description="What to scan: STK (US stocks), STOCK.EU, FUT.US, ..."
            f"{DETAILS}Also STOCK.HK, IND.US and more: get_scanner_parameters lists them",
            examples=["STK"],
        ),
    ] = "STK"
    location_code: Annotated[
        str,
        Meta(
            max_length=64,
            description="Where, e.g. STK.US.MAJOR (NYSE, NASDAQ, AMEX), STK.EU.LSE"
            f"{DETAILS}Also STK.US, STK.NASDAQ and more: get_scanner_parameters lists them",
            examples=["STK.US.MAJOR"],
        ),
    ] = "STK.US.MAJOR"
    scan_code: Annotated[
        str,
        Meta(
            max_length=64,
            description="The ranking, e.g. MOST_ACTIVE, TOP_PERC_GAIN, HOT_BY_VOLUME (all: "
            f"get_scanner_parameters){DETAILS}Also TOP_PERC_LOSE, HIGH_OPT_IMP_VOLAT and more",
            examples=["TOP_PERC_GAIN"],
        ),
    ] = "MOST_ACTIVE"
    filter_codes: Annotated[
        list[Annotated[str, Meta(max_length=64)]],
        Meta(
            max_length=20,
            description="Raw IB filters, '<name><number>' or '<name>=<value>', e.g. "
            "priceAbove5, marketCapAbove=1e9",
            examples=[["priceAbove5", "volume_avg_1000"]],
        ),
    ] = msgspec.field(default_factory=list)
    above_price: Annotated[
        NonNegative | None, Meta(description="Only prices above this", examples=[5.0])
    ] = None
    below_price: Annotated[
        NonNegative | None, Meta(description="Only prices below this", examples=[500.0])
    ] = None
    above_volume: Annotated[
        Annotated[int, Meta(ge=0)] | None,
        Meta(description="Only volumes above this (shares)", examples=[100000]),
    ] = None
    market_cap_above: Annotated[
        NonNegative | None,
        Meta(description="Only market caps above this (USD)", examples=[1e9]),
    ] = None
    market_cap_below: Annotated[
        NonNegative | None,
        Meta(description="Only market caps below this (USD)", examples=[1e12]),
    ] = None
    rows: Annotated[
        int, Meta(ge=1, le=50, description="How many ranked results, 1 to 50", examples=[10])
    ] = 50

    def query(self) -> ScanQuery:
        fields = msgspec.structs.asdict(self)
        fields["filters"] = parse_filter_codes(",".join(fields.pop("filter_codes")))
        return ScanQuery(**fields)


OPERATIONS = (
    Operation(
        name="get_scanner_results",
        title="Run a market scanner",
        description="""Run an IB market scanner: instruments ranked by scan_code and filtered by price, volume and market cap, each with its contract id. Quote them with get_tickers.

Details: instrument and location_code say what and where to scan, scan_code how to rank, and
the price, volume and market-cap bounds (or raw filter_codes) which instruments qualify. Each
result carries its contract id, symbol, security type and exchange and, where IB reports
them, last price, change %, volume, market cap, P/E and sector.""",
        input=ScanInput,
        output=ScanResults,
        nature=QUERY,
        errors=(InvalidRequest, RateLimited, *SUBSCRIPTION_ERRORS, *BROKER_ERRORS),
        call=lambda q, c: c.services.scanner.results(q.query()),
        rest=Rest("/ibkr/scanner/results", tag="scanner"),
    ),
    Operation(
        name="get_scanner_parameters",
        title="Scanner parameters",
        description="""What the gateway's scanners accept: instruments, location codes, scan codes and filter names.

Details: Look here before get_scanner_results when unsure which codes are valid.""",
        input=None,
        output=ScannerParameters,
        nature=QUERY,
        errors=BROKER_ERRORS,
        call=lambda _, c: c.services.scanner.parameters(),
        rest=Rest("/ibkr/scanner/parameters", tag="scanner"),
    ),
)
