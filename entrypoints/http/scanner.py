"""REST endpoints for market scanners (IB's ranked screens such as most active stocks)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from application.services.scanner import ScannerService
from domain.scanner import ScannerParameters, ScanQuery, ScanResults, parse_filter_codes
from entrypoints.http import params
from entrypoints.http.errors import responses


class ScannerController(Controller):
    path = "/ibkr/scanner"
    tags = ["scanner"]

    @get(
        "/results",
        operation_id="get_scanner_results",
        summary="Run a market scanner",
        responses=responses(400, 429, 503, 504),
    )
    async def results(
        self,
        scanner_service: NamedDependency[ScannerService],
        instrument: Annotated[
            str | None, QueryParameter(description="What to scan: STK (default), FUT, OPT, ...")
        ] = None,
        location_code: Annotated[
            str | None,
            QueryParameter(description="Where to scan, e.g. STK.US.MAJOR (default), STK.EU"),
        ] = None,
        filter_codes: Annotated[
            str | None,
            QueryParameter(
                description="Comma-separated IB scanner filters as <name><number> or "
                "<name>=<value>, e.g. priceAbove5,volume_avg_1000"
            ),
        ] = None,
        above_price: Annotated[
            float | None, QueryParameter(ge=0, description="Price above")
        ] = None,
        below_price: Annotated[
            float | None, QueryParameter(ge=0, description="Price below")
        ] = None,
        above_volume: Annotated[
            int | None, QueryParameter(ge=0, description="Volume above (shares)")
        ] = None,
        market_cap_above: Annotated[
            float | None, QueryParameter(ge=0, description="Market capitalisation above")
        ] = None,
        market_cap_below: Annotated[
            float | None, QueryParameter(ge=0, description="Market capitalisation below")
        ] = None,
        scan_code: Annotated[
            str | None,
            QueryParameter(
                description="The ranking, e.g. MOST_ACTIVE (default), TOP_PERC_GAIN, HOT_BY_VOLUME; "
                "/ibkr/scanner/parameters lists them"
            ),
        ] = None,
        rows: Annotated[
            int | None,
            QueryParameter(ge=1, le=50, description="How many results, 1-50 (default 50)"),
        ] = None,
    ) -> ScanResults:
        """Run a market scanner: instruments ranked by a criterion such as trading activity.

        ``instrument`` and ``location_code`` say what and where to scan, ``scan_code`` how to
        rank, and the price, volume and market-cap bounds (or raw ``filter_codes``) which
        instruments qualify. Each result carries its contract id, price, change and volume
        where IB reports them.
        """
        fields = params.present(
            instrument=instrument,
            location_code=location_code,
            scan_code=scan_code,
            above_price=above_price,
            below_price=below_price,
            above_volume=above_volume,
            market_cap_above=market_cap_above,
            market_cap_below=market_cap_below,
            rows=rows,
        )
        if filter_codes:
            fields["filters"] = parse_filter_codes(filter_codes)
        return await scanner_service.results(msgspec.convert(fields, ScanQuery))

    @get(
        "/parameters",
        operation_id="get_scanner_parameters",
        summary="Scanner parameters",
        responses=responses(503, 504),
    )
    async def scanner_parameters(
        self, scanner_service: NamedDependency[ScannerService]
    ) -> ScannerParameters:
        """What the scanners accept: instruments, location codes, scan codes and filter names."""
        return await scanner_service.parameters()
