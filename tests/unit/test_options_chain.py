"""The option-chain decision table: which answer for which combination of exchange and filters."""

from __future__ import annotations

import msgspec.structs
import pytest

from application.container import Services, build_services
from domain.errors import ContractNotFound, InvalidRequest
from domain.options import ChainFilters, OptionChainQuery
from tests.fakes import FakeBroker, FakeClock, FakeGateway


def chain_query(exchange: str = "", **filters: list) -> OptionChainQuery:
    return OptionChainQuery(
        underlying_symbol="CCJ",
        underlying_con_id=1447060,
        exchange=exchange,
        filters=ChainFilters(**filters) if filters else None,
    )


@pytest.fixture
def weekly_class(broker: FakeBroker, services: Services) -> None:
    """A second trading class on SMART, as IB lists for weeklies (e.g. SPX and SPXW)."""
    smart = next(c for c in broker.chains["CCJ"] if c.exchange == "SMART")
    weekly = msgspec.structs.replace(smart, trading_class="CCJW", expirations=["20260213"])
    broker.chains["CCJ"].append(weekly)


async def test_no_exchange_no_filters_lists_every_chain(services: Services) -> None:
    result = await services.contracts.options_chain(chain_query())
    assert [c.exchange for c in result.candidate_chains] == ["BOX", "NASDAQOM", "SMART"]
    assert not isinstance(result.message, str)


async def test_exchange_without_filters_is_one_candidate_chain(services: Services) -> None:
    result = await services.contracts.options_chain(chain_query("smart"))
    [chain] = result.candidate_chains
    assert (chain.exchange, len(chain.strikes), len(chain.expirations)) == ("SMART", 102, 12)


async def test_exchange_and_filters_expand_to_contracts(
    services: Services, broker: FakeBroker
) -> None:
    result = await services.contracts.options_chain(
        chain_query("SMART", expirations=["20260213"], strikes=[122, 120], rights=["P", "C"])
    )
    labels = [(c.strike, c.right, c.friendly_symbol) for c in result.options_chain]
    assert labels == [
        (120.0, "C", "CCJ Feb13'26 120.0 CALL"),
        (120.0, "P", "CCJ Feb13'26 120.0 PUT"),
        (122.0, "C", "CCJ Feb13'26 122.0 CALL"),
        (122.0, "P", "CCJ Feb13'26 122.0 PUT"),
    ]
    [(_, chain, expirations, strikes, rights)] = broker.called("qualify_options")
    assert (chain.exchange, expirations, strikes, rights) == (
        "SMART",
        ["20260213"],
        [120.0, 122.0],
        ["P", "C"],
    )


async def test_filters_without_exchange_keep_candidates_and_say_how_to_pick(
    services: Services,
) -> None:
    result = await services.contracts.options_chain(chain_query(expirations=["20260213"]))
    assert len(result.candidate_chains) == 3
    assert "3 chains match" in result.message and "exchange" in result.message


@pytest.mark.usefixtures("weekly_class")
async def test_two_trading_classes_on_one_exchange_need_trading_class(services: Services) -> None:
    result = await services.contracts.options_chain(
        chain_query("SMART", expirations=["20260213"], rights=["C"])
    )
    assert [c.trading_class for c in result.candidate_chains] == ["CCJ", "CCJW"]
    assert "trading_class" in result.message


@pytest.mark.usefixtures("weekly_class")
async def test_trading_class_narrows_to_one_chain(services: Services) -> None:
    result = await services.contracts.options_chain(
        chain_query(
            "SMART", trading_class=["ccjw"], expirations=["20260213"], strikes=[120], rights=["C"]
        )
    )
    [contract] = result.options_chain
    assert contract.trading_class == "CCJW"


async def test_trading_class_alone_filters_chains_without_expanding(services: Services) -> None:
    result = await services.contracts.options_chain(chain_query("BOX", trading_class=["CCJ"]))
    assert [c.exchange for c in result.candidate_chains] == ["BOX"]


async def test_unknown_trading_class_lists_the_available(services: Services) -> None:
    with pytest.raises(ContractNotFound, match="available: CCJ"):
        await services.contracts.options_chain(chain_query(trading_class=["XYZ"]))


async def test_unknown_exchange_lists_the_exchanges(services: Services) -> None:
    with pytest.raises(ContractNotFound, match="chains exist on: BOX, NASDAQOM, SMART"):
        await services.contracts.options_chain(chain_query("CBOE"))


async def test_no_chains_at_all(services: Services) -> None:
    with pytest.raises(ContractNotFound, match="MSFT"):
        await services.contracts.options_chain(OptionChainQuery(underlying_symbol="MSFT"))


async def test_too_many_contracts_answer_the_narrowed_chain(
    services: Services, broker: FakeBroker
) -> None:
    result = await services.contracts.options_chain(
        chain_query("SMART", rights=["C"], strikes=[120, 122])
    )
    # 12 expirations x 2 strikes x 1 right = 24 contracts: under the cap, expanded.
    assert len(result.options_chain) == 24
    result = await services.contracts.options_chain(chain_query("SMART", rights=["C"]))
    assert result.truncated is True
    assert "1224 option contracts, more than 100" in result.message
    [chain] = result.candidate_chains
    assert len(chain.expirations) == 12 and len(chain.strikes) == 102
    assert len(broker.called("qualify_options")) == 1


async def test_cap_is_configurable(
    broker: FakeBroker, gateway: FakeGateway, services: Services
) -> None:
    small = build_services(broker, gateway, FakeClock(), max_option_contracts=3)
    query = chain_query("SMART", expirations=["20260213"], strikes=[120, 122], rights=["C", "P"])
    assert (await small.contracts.options_chain(query)).truncated is True


@pytest.mark.parametrize(
    ("filters", "field", "text"),
    [
        ({"expirations": ["20990101"]}, "filters.expirations", "20260206"),
        ({"strikes": [121.5]}, "filters.strikes", "116, 117, 118, 119, 120, 121, 122, 123"),
    ],
)
async def test_filter_values_not_in_the_chain(
    services: Services, filters: dict, field: str, text: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await services.contracts.options_chain(chain_query("SMART", **filters))
    assert caught.value.field == field and text in caught.value.message
