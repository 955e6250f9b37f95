"""Option chains with quotes and greeks, and IB's option calculators.

A chain page is quoted within the account's market data lines: with live lines
(``QuoteLines``) the contracts are leased in batches no larger than the lines free at that
moment (a line idle in its linger counts as free: the budget evicts it), each batch's
quotes are read, and its lines given back (they linger, so the next page or a repeat is
answered from live data). ``QuoteLines`` never opens more lines than ``--market-data-lines``.
Without lines, one-off snapshots go out in batches of ``batch`` at a time.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Sequence

from msgspec import UNSET

from application.ports import Broker, Clock, OptionCalculator
from application.services.contracts import ContractService
from application.services.market_data import MarketDataService
from application.services.market_lines import QuoteLine, QuoteLines
from domain.contract import Contract, ContractQuery
from domain.errors import (
    CompetingSession,
    ContractNotFound,
    DomainError,
    InvalidRequest,
    LinesExhausted,
    MarketDataNotSubscribed,
    MarketDataUnavailable,
    NotConnected,
    NotSupported,
)
from domain.market_data import Quote
from domain.option_quotes import (
    MAX_CONTRACTS,
    ChainKey,
    ChainQuotesQuery,
    OptionCalculation,
    OptionChainQuotes,
    OptionGreeks,
    OptionQuote,
    chain_table,
    check_option_price,
    check_underlying_price,
    check_volatility,
    cursor_of,
)
from domain.options import CandidateChain

OPTION_TYPES = ("OPT", "FOP")
GREEKS_GRACE = 1.0  # seconds a quoted option may wait for IB's model computation
_POLL = 0.05


def _round(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def _whole(value: float | None) -> int | None:
    return None if value is None or not math.isfinite(value) else round(value)


def _known(value: object) -> float | None:
    return value if isinstance(value, float | int) and not isinstance(value, bool) else None


def option_quote(contract_id: int, quote: Quote | None) -> OptionQuote:
    if quote is None:
        return OptionQuote(con_id=contract_id)
    return OptionQuote(
        con_id=contract_id,
        bid=_round(quote.bid, 4),
        ask=_round(quote.ask, 4),
        last=_round(quote.last_price, 4),
        volume=_whole(quote.volume),
        open_interest=_whole(_known(quote.open_interest)),
        iv=_round(_known(quote.implied_volatility), 4),
        delta=_round(_known(quote.delta), 4),
        gamma=_round(_known(quote.gamma), 6),
        vega=_round(_known(quote.vega), 4),
        theta=_round(_known(quote.theta), 4),
    )


def reference_price(quote: Quote) -> float | None:
    """The underlying's price: the midpoint when both sides are quoted, else the last trade,
    else the previous close."""
    if quote.bid is not None and quote.ask is not None and quote.bid > 0 and quote.ask > 0:
        return round((quote.bid + quote.ask) / 2, 6)
    return quote.last_price if quote.last_price is not None else quote.close


class OptionQuotesService:
    def __init__(
        self,
        broker: Broker,
        contracts: ContractService,
        market_data: MarketDataService,
        clock: Clock,
        *,
        lines: QuoteLines | None = None,
        calculator: OptionCalculator | None = None,
        quote_timeout: float = 10.0,
        batch: int = 50,
    ) -> None:
        self._broker = broker
        self._contracts = contracts
        self._market_data = market_data
        self._clock = clock
        self._lines = lines
        self._calculator = calculator
        self._quote_timeout = quote_timeout
        self._batch = max(1, batch)

    # -- chain quotes ------------------------------------------------------------------------

    async def chain_quotes(self, query: ChainQuotesQuery) -> OptionChainQuotes:
        chain = await self._chain(query)
        under_id = query.underlying_con_id or int(chain.underlying_con_id or 0)
        under_price = await self._underlying_price(under_id, query)
        keys = self._select(chain, query, under_price)
        after = query.after
        rest = [k for k in keys if after is None or k > after]
        page = rest[: query.limit]
        contracts = await self._qualify(query.underlying_symbol, chain, page)
        quotes, failures = await self._quotes([c for c in contracts.values()])
        if failures and not quotes:  # nothing quoted: say why rather than a table of ids
            kinds = {type(e) for e in failures.values()}
            first = next(iter(failures.values()))
            if len(kinds) == 1 and isinstance(first, (MarketDataNotSubscribed, CompetingSession)):
                raise first  # its status, remedy and IB code, as for any quote
            reasons = "; ".join(sorted({e.message for e in failures.values()})[:3])
            raise MarketDataUnavailable(
                f"No quote for any of the {len(failures)} options of this page: {reasons}"
            )
        rows = [
            (key, option_quote(contracts[key].con_id, quotes.get(contracts[key].con_id)))
            for key in page
            if key in contracts
        ]
        if under_price is None:
            under_price = next(
                (_known(q.underlying_price) for q in quotes.values() if _known(q.underlying_price)),
                None,
            )
        md_type = next((q.market_data_type for q in quotes.values()), None)
        notes = []
        unlisted = len(page) - len(rows)
        if unlisted:
            notes.append(f"{unlisted} of the selected strikes are not listed for their expiry")
        if failures:
            reasons = "; ".join(sorted({e.message for e in failures.values()})[:3])
            notes.append(f"{len(failures)} contracts have no quote ({reasons})")
        return OptionChainQuotes(
            underlying_symbol=query.underlying_symbol.upper(),
            underlying_contract_id=under_id,
            underlying_price=_round(under_price, 4),
            exchange=chain.exchange,
            trading_class=chain.trading_class,
            multiplier=chain.multiplier,
            total=len(keys),
            count=len(rows),
            expirations=chain_table(rows),
            next_cursor=cursor_of(page[-1]) if len(rest) > len(page) else UNSET,
            market_data_type=md_type if isinstance(md_type, str) else UNSET,
            message="; ".join(notes) if notes else UNSET,
        )

    async def _chain(self, query: ChainQuotesQuery) -> CandidateChain:
        chains = await self._broker.option_chains(
            query.underlying_symbol, query.underlying_sec_type, query.underlying_con_id
        )
        if not chains:
            raise ContractNotFound(f"No option chains found for {query.underlying_symbol}")
        exchange = query.exchange.upper()
        on_exchange = [c for c in chains if c.exchange.upper() == exchange]
        if not on_exchange:
            available = ", ".join(sorted({c.exchange for c in chains}))
            raise ContractNotFound(
                f"No option chain of {query.underlying_symbol} on {query.exchange}; chains "
                f"exist on: {available}"
            )
        wanted = query.trading_class.upper()
        if wanted:
            picked = [c for c in on_exchange if c.trading_class.upper() == wanted]
        else:
            picked = on_exchange
            if len(picked) > 1:  # the class named after the symbol (AAPL, SPX not SPXW)
                named = query.underlying_symbol.upper()
                picked = [c for c in picked if c.trading_class.upper() == named] or picked
        classes = ", ".join(sorted({c.trading_class for c in on_exchange}))
        if not picked:
            raise ContractNotFound(
                f"No option chain with trading class {query.trading_class} on "
                f"{query.exchange}; available: {classes}"
            )
        if len(picked) > 1:
            raise InvalidRequest(
                f"{len(picked)} option chains of {query.underlying_symbol} on "
                f"{query.exchange}: give trading_class, one of {classes}",
                field="trading_class",
                accepted=sorted({c.trading_class for c in picked}),
            )
        return picked[0]

    async def _underlying_price(self, con_id: int, query: ChainQuotesQuery) -> float | None:
        """The underlying's price now; needed for max_distance_pct (else it may be None)."""
        try:
            if not con_id:
                raise ContractNotFound(f"IB named no underlying for {query.underlying_symbol}")
            quote = await self._market_data.snapshot(ContractQuery(con_id=con_id))
        except (NotConnected, LinesExhausted):
            raise
        except DomainError:
            if query.max_distance_pct is not None:
                raise
            return None
        price = reference_price(quote)
        if price is None and query.max_distance_pct is not None:
            raise MarketDataUnavailable(
                f"No price of {query.underlying_symbol} to measure max_distance_pct from; "
                "use strike_min and strike_max instead"
            )
        return price

    def _select(
        self, chain: CandidateChain, query: ChainQuotesQuery, under_price: float | None
    ) -> list[ChainKey]:
        expirations = self._expirations(chain, query.expirations)
        strikes = list(chain.strikes)
        if query.strike_min is not None:
            strikes = [s for s in strikes if s >= query.strike_min - 1e-9]
        if query.strike_max is not None:
            strikes = [s for s in strikes if s <= query.strike_max + 1e-9]
        if query.max_distance_pct is not None and under_price is not None:
            reach = under_price * query.max_distance_pct / 100
            strikes = [s for s in strikes if abs(s - under_price) <= reach + 1e-9]
        if not strikes:
            span = f"{min(chain.strikes):g} to {max(chain.strikes):g}" if chain.strikes else "none"
            raise InvalidRequest(
                f"No strike of this chain passes strike_min, strike_max and max_distance_pct "
                f"(the chain's strikes span {span}"
                + (f"; the underlying is at {under_price:g})" if under_price else ")"),
                field="strike_min",
            )
        rights = [query.right] if query.right else ["C", "P"]
        keys = sorted(itertools.product(expirations, strikes, rights))
        if len(keys) > MAX_CONTRACTS:
            per_expiry = len(strikes) * len(rights)
            raise InvalidRequest(
                f"The filter selects {len(keys)} option contracts ({len(expirations)} "
                f"expirations x {len(strikes)} strikes x {len(rights)} rights), more than "
                f"{MAX_CONTRACTS} per call; narrow it: right C or P, fewer expirations, "
                f"strike_min/strike_max or max_distance_pct"
                + (f" ({per_expiry} contracts per expiration now)" if per_expiry else ""),
                field="expirations",
            )
        return keys

    @staticmethod
    def _expirations(chain: CandidateChain, wanted: list[str]) -> list[str]:
        if not chain.expirations:
            raise ContractNotFound("This option chain lists no expirations")
        if not wanted:
            return [sorted(chain.expirations)[0]]
        missing = [e for e in wanted if e not in set(chain.expirations)]
        if missing:
            listed = sorted(chain.expirations)
            raise InvalidRequest(
                f"{', '.join(missing)} not in this chain; its expirations: "
                f"{', '.join(listed[:16])}{' ...' if len(listed) > 16 else ''}",
                field="expirations",
            )
        return sorted(set(wanted))

    async def _qualify(
        self, symbol: str, chain: CandidateChain, page: list[ChainKey]
    ) -> dict[ChainKey, Contract]:
        by_expiry: dict[str, list[ChainKey]] = {}
        for key in page:
            by_expiry.setdefault(key[0], []).append(key)
        found = await asyncio.gather(*(
            self._broker.qualify_options(
                symbol, chain, [expiry], sorted({k[1] for k in keys}), sorted({k[2] for k in keys})
            )
            for expiry, keys in by_expiry.items()
        ))  # fmt: skip
        wanted = set(page)
        out: dict[ChainKey, Contract] = {}
        for contract in itertools.chain.from_iterable(found):
            key = (contract.last_trade_date_or_contract_month[:8], contract.strike,
                   contract.right)  # fmt: skip
            match = next((k for k in wanted if k[0] == key[0] and k[2] == key[2]
                          and abs(k[1] - key[1]) < 1e-6), None)  # fmt: skip
            if match is not None:
                out[match] = contract
        return out

    # -- quoting within the line budget --------------------------------------------------------

    async def _quotes(
        self, contracts: Sequence[Contract]
    ) -> tuple[dict[int, Quote], dict[int, DomainError]]:
        """Quotes by contract id, and the reason for each contract left without one."""
        if not contracts:
            return {}, {}
        if self._lines is None:
            return await self._snapshots(contracts)
        return await self._from_lines(self._lines, contracts)

    async def _snapshots(
        self, contracts: Sequence[Contract]
    ) -> tuple[dict[int, Quote], dict[int, DomainError]]:
        quotes: dict[int, Quote] = {}
        failures: dict[int, DomainError] = {}
        for start in range(0, len(contracts), self._batch):
            batch = contracts[start : start + self._batch]
            results = await asyncio.gather(
                *(self._broker.snapshot(c) for c in batch), return_exceptions=True
            )
            for contract, result in zip(batch, results, strict=True):
                self._file(contract, result, quotes, failures)
        return quotes, failures

    async def _from_lines(
        self, lines: QuoteLines, contracts: Sequence[Contract]
    ) -> tuple[dict[int, Quote], dict[int, DomainError]]:
        quotes: dict[int, Quote] = {}
        failures: dict[int, DomainError] = {}
        waiting = list(contracts)
        while waiting:
            stats = lines.stats()
            free = stats.budget - stats.in_use  # idle lines are evicted to make room
            if free <= 0:
                raise LinesExhausted(
                    f"All {stats.budget} market data lines are held by live streams; close "
                    "a stream or raise --market-data-lines",
                    retry_after=5,
                )
            batch, waiting = waiting[:free], waiting[free:]
            leased = await _lease_all(lines, batch)
            held = [line for line in leased if isinstance(line, QuoteLine)]
            try:
                if not held and all(isinstance(r, LinesExhausted) for r in leased):
                    raise next(r for r in leased if isinstance(r, LinesExhausted))
                retry = []
                for contract, result in zip(batch, leased, strict=True):
                    if isinstance(result, LinesExhausted):
                        retry.append(contract)  # taken meanwhile: in the next batch
                    elif not isinstance(result, QuoteLine):
                        self._file(contract, result, quotes, failures)
                waiting = retry + waiting
                read = await self._read(held)
                for line, answer in zip(held, read, strict=True):
                    self._file(line.contract, answer, quotes, failures)
            finally:
                for line in held:
                    lines.release(line)
        return quotes, failures

    async def _read(self, held: list[QuoteLine]) -> list[Quote | BaseException]:
        """Each line's quote: its first complete one (within the time limit), then up to
        ``GREEKS_GRACE`` more for IB's model computation of the options still without it."""
        results = await asyncio.gather(
            *(self._first(line) for line in held), return_exceptions=True
        )
        deadline = self._clock.monotonic() + GREEKS_GRACE
        while self._clock.monotonic() < deadline and any(
            isinstance(r, Quote) and _known(r.delta) is None for r in results
        ):
            await self._clock.sleep(_POLL)
            for i, line in enumerate(held):
                current = line.current()
                if isinstance(results[i], Quote) and current is not None:
                    results[i] = current
        return results

    async def _first(self, line: QuoteLine) -> Quote:
        quote = line.current() or await line.wait(self._quote_timeout)
        if quote is None:
            raise MarketDataUnavailable(f"no data within {self._quote_timeout:g} s")
        return quote

    @staticmethod
    def _file(
        contract: Contract,
        result: object,
        quotes: dict[int, Quote],
        failures: dict[int, DomainError],
    ) -> None:
        if isinstance(result, Quote):
            quotes[contract.con_id] = result
        elif isinstance(result, NotConnected):
            raise result
        elif isinstance(result, DomainError):
            failures[contract.con_id] = result
        elif isinstance(result, BaseException):
            raise result

    # -- calculators ------------------------------------------------------------------------------

    async def implied_volatility(
        self, contract_id: int, option_price: float, underlying_price: float | None
    ) -> OptionCalculation:
        check_option_price(option_price)
        check_underlying_price(underlying_price)
        calculator = self._calculator_or_refuse()
        option = await self._option(contract_id)
        under = underlying_price or await self._current_underlying(option)
        greeks = await calculator.implied_volatility(option, option_price, under)
        if greeks.implied_volatility is None:
            intrinsic = (
                max(under - option.strike, 0.0)
                if option.right == "C"
                else max(option.strike - under, 0.0)
            )
            raise InvalidRequest(
                f"No volatility prices {option.local_symbol or option.symbol} at "
                f"{option_price:g} with the underlying at {under:g}: the price must be above "
                f"the option's intrinsic value ({intrinsic:g}) and below the "
                f"{'underlying' if option.right == 'C' else 'strike'} price",
                field="option_price",
            )
        return self._calculation(option, greeks, greeks.implied_volatility, option_price, under)

    async def option_price(
        self, contract_id: int, volatility: float, underlying_price: float | None
    ) -> OptionCalculation:
        check_volatility(volatility)
        check_underlying_price(underlying_price)
        calculator = self._calculator_or_refuse()
        option = await self._option(contract_id)
        under = underlying_price or await self._current_underlying(option)
        greeks = await calculator.option_price(option, volatility, under)
        if greeks.option_price is None:
            raise MarketDataUnavailable(
                f"IB computed no price of {option.local_symbol or option.symbol} at "
                f"volatility {volatility:g}"
            )
        return self._calculation(option, greeks, volatility, greeks.option_price, under)

    def _calculator_or_refuse(self) -> OptionCalculator:
        if self._calculator is None:
            raise NotSupported("This service's broker offers no option calculators")
        return self._calculator

    async def _option(self, contract_id: int) -> Contract:
        contract = await self._contracts.resolve(ContractQuery(con_id=contract_id))
        if contract.sec_type not in OPTION_TYPES:
            raise InvalidRequest(
                f"Contract {contract_id} is {contract.symbol} {contract.sec_type}, not an "
                "option: give an option's contract id (get_options_chain lists them)",
                field="contract_id",
            )
        return contract

    async def _current_underlying(self, option: Contract) -> float:
        """The underlying price IB's model uses for the option now (from its live quote)."""
        quote = await self._market_data.snapshot(ContractQuery(con_id=option.con_id))
        price = _known(quote.underlying_price)
        if price is None or price <= 0:
            raise MarketDataUnavailable(
                f"IB sent no underlying price with the quote of "
                f"{option.local_symbol or option.symbol}; give underlying_price"
            )
        return price

    @staticmethod
    def _calculation(
        option: Contract, greeks: OptionGreeks, vol: float, price: float, under: float
    ) -> OptionCalculation:
        label = option.friendly_symbol
        return OptionCalculation(
            contract_id=option.con_id,
            symbol=label if isinstance(label, str) else option.local_symbol or option.symbol,
            implied_volatility=round(vol, 6),
            option_price=round(price, 6),
            underlying_price=round(greeks.underlying_price or under, 6),
            delta=_round(greeks.delta, 6),
            gamma=_round(greeks.gamma, 6),
            vega=_round(greeks.vega, 6),
            theta=_round(greeks.theta, 6),
        )


async def _lease_all(
    lines: QuoteLines, batch: Sequence[Contract]
) -> list[QuoteLine | BaseException]:
    """A line per contract, or why not. Cancelled half way, it gives back every line it got
    (and the leases still opening free their own slots): none is left held for nobody."""
    tasks = [asyncio.ensure_future(lines.lease(contract)) for contract in batch]
    try:
        return list(await asyncio.gather(*tasks, return_exceptions=True))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in tasks:
            if not task.cancelled() and task.exception() is None:
                lines.release(task.result())
        raise
