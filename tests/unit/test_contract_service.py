"""Finding contracts: one match, several, none; resolving to exactly one."""

from __future__ import annotations

import pytest

from application.container import Services
from domain.contract import ContractQuery
from domain.errors import AmbiguousContract, ContractNotFound, InvalidRequest
from tests.fakes import FakeBroker


async def test_details_single_match_is_qualified(services: Services) -> None:
    result = await services.contracts.details(
        ContractQuery(symbol="CCJ", sec_type="STK", exchange="SMART", currency="USD")
    )
    assert result.qualified_contract.con_id == 1447060
    assert not isinstance(result.candidate_contracts, list)


async def test_details_several_matches_are_candidates(services: Services) -> None:
    result = await services.contracts.details(ContractQuery(symbol="CCJ", sec_type="STK"))
    assert [c.con_id for c in result.candidate_contracts] == [1447060, 81540716]
    assert not hasattr(result.qualified_contract, "con_id")


async def test_details_no_match_says_what_was_asked(services: Services) -> None:
    with pytest.raises(ContractNotFound, match="ZZZZ STK USD"):
        await services.contracts.details(
            ContractQuery(symbol="ZZZZ", sec_type="STK", currency="USD")
        )


async def test_resolve_by_id(services: Services) -> None:
    contract = await services.contracts.resolve(ContractQuery(con_id=81540716))
    assert (contract.symbol, contract.currency) == ("CCJ", "EUR")


async def test_resolve_ambiguity_names_the_distinguishing_fields(services: Services) -> None:
    with pytest.raises(AmbiguousContract) as caught:
        await services.contracts.resolve(ContractQuery(symbol="CCJ", sec_type="STK"))
    message = caught.value.message
    assert "2 contracts match CCJ STK" in message
    assert "currency (EUR, USD)" in message and "primary_exchange (FWB2, NYSE)" in message
    # Fields on which the candidates agree are no help and are not suggested.
    assert "sec_type (" not in message and "exchange (SMART" not in message
    assert [c["con_id"] for c in caught.value.candidates] == [1447060, 81540716]


async def test_resolve_passes_the_query_to_the_broker(
    services: Services, broker: FakeBroker
) -> None:
    query = ContractQuery(symbol="CCJ", sec_type="STK", currency="EUR")
    assert (await services.contracts.resolve(query)).con_id == 81540716
    assert broker.called("contract_details") == [(query,)]


async def test_a_contract_id_with_another_instruments_symbol_is_refused(
    services: Services,
) -> None:
    # 1447060 is CCJ: an order or quote that also says MSFT must not silently go to CCJ.
    with pytest.raises(InvalidRequest) as caught:
        await services.contracts.resolve(ContractQuery(con_id=1447060, symbol="MSFT"))
    assert "contract_id 1447060 is CCJ STK USD" in caught.value.message
    assert "symbol 'MSFT' (it has 'CCJ')" in caught.value.message
    assert caught.value.field == "symbol"


async def test_fields_that_agree_with_the_contract_id_pass(services: Services) -> None:
    query = ContractQuery(con_id=81540716, symbol="ccj", sec_type="STK", currency="EUR")
    assert (await services.contracts.resolve(query)).con_id == 81540716
    with pytest.raises(InvalidRequest, match=r"currency 'USD' \(it has 'EUR'\)"):
        await services.contracts.resolve(ContractQuery(con_id=81540716, currency="USD"))


def test_a_contract_month_is_not_a_conflict_a_different_day_is() -> None:
    from domain.contract import Contract, conflicts_with

    # IB's contract month of CL Jun 2026 is 202606; its last trade date is 2026-05-19.
    crude = Contract(sec_type="FUT", con_id=7, symbol="CL",
                     last_trade_date_or_contract_month="20260519")  # fmt: skip
    assert conflicts_with(ContractQuery(con_id=7, last_trade_date_or_contract_month="202606"),
                          crude) == {}  # fmt: skip
    assert conflicts_with(ContractQuery(con_id=7, last_trade_date_or_contract_month="20260618"),
                          crude) == {"last_trade_date_or_contract_month": ("20260618", "20260519")}  # fmt: skip
