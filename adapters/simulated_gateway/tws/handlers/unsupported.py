"""Requests the simulator does not model: answered with an error so that no client hangs.

IB answers every request that expects a reply, with data or with an error carrying the
request's id. A request this simulator has no model for gets IB's 322 ("Error processing
request") with that id, which ends the client's pending request (ib_async treats 321 as a
warning and would keep waiting). Requests without a request id get the error with id -1.
A few id-less requests whose honest answer for a simulated individual paper account is an
empty list are answered that way (family codes, soft-dollar tiers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.tws import messages as msg
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

NOT_SUPPORTED_CODE = 322

# TWS API outgoing message id -> (EClient name, index of its request id among the fields or
# None). Every id of IB's EClient at server version 178 and beyond; modelled ones are routed
# elsewhere and never reach this table.
REQUESTS: dict[str, tuple[str, int | None]] = {
    "1": ("reqMktData", 2), "2": ("cancelMktData", 2), "3": ("placeOrder", 1),
    "4": ("cancelOrder", 2), "5": ("reqOpenOrders", None), "6": ("reqAccountUpdates", None),
    "7": ("reqExecutions", 2), "8": ("reqIds", None), "9": ("reqContractDetails", 2),
    "10": ("reqMktDepth", 2), "11": ("cancelMktDepth", 2), "12": ("reqNewsBulletins", None),
    "13": ("cancelNewsBulletins", None), "14": ("setServerLogLevel", None),
    "15": ("reqAutoOpenOrders", None), "16": ("reqAllOpenOrders", None),
    "17": ("reqManagedAccts", None), "18": ("requestFA", None), "19": ("replaceFA", 4),
    "20": ("reqHistoricalData", 1), "21": ("exerciseOptions", 2),
    "22": ("reqScannerSubscription", 1), "23": ("cancelScannerSubscription", 2),
    "24": ("reqScannerParameters", None), "25": ("cancelHistoricalData", 2),
    "49": ("reqCurrentTime", None), "50": ("reqRealTimeBars", 2),
    "51": ("cancelRealTimeBars", 2), "52": ("reqFundamentalData", 2),
    "53": ("cancelFundamentalData", 2), "54": ("calculateImpliedVolatility", 2),
    "55": ("calculateOptionPrice", 2), "56": ("cancelCalculateImpliedVolatility", 2),
    "57": ("cancelCalculateOptionPrice", 2), "58": ("reqGlobalCancel", None),
    "59": ("reqMarketDataType", None), "61": ("reqPositions", None),
    "62": ("reqAccountSummary", 2), "63": ("cancelAccountSummary", 2),
    "64": ("cancelPositions", None), "65": ("verifyRequest", None),
    "66": ("verifyMessage", None), "67": ("queryDisplayGroups", 2),
    "68": ("subscribeToGroupEvents", 2), "69": ("updateDisplayGroup", 2),
    "70": ("unsubscribeFromGroupEvents", 2), "72": ("verifyAndAuthRequest", None),
    "73": ("verifyAndAuthMessage", None), "74": ("reqPositionsMulti", 2),
    "75": ("cancelPositionsMulti", 2), "76": ("reqAccountUpdatesMulti", 2),
    "77": ("cancelAccountUpdatesMulti", 2), "78": ("reqSecDefOptParams", 1),
    "79": ("reqSoftDollarTiers", 1), "80": ("reqFamilyCodes", None),
    "81": ("reqMatchingSymbols", 1), "82": ("reqMktDepthExchanges", None),
    "83": ("reqSmartComponents", 1), "84": ("reqNewsArticle", 1),
    "85": ("reqNewsProviders", None), "86": ("reqHistoricalNews", 1),
    "87": ("reqHeadTimeStamp", 1), "88": ("reqHistogramData", 1),
    "89": ("cancelHistogramData", 1), "90": ("cancelHeadTimeStamp", 1),
    "91": ("reqMarketRule", None), "92": ("reqPnL", 1), "93": ("cancelPnL", 1),
    "94": ("reqPnLSingle", 1), "95": ("cancelPnLSingle", 1), "96": ("reqHistoricalTicks", 1),
    "97": ("reqTickByTickData", 1), "98": ("cancelTickByTickData", 1),
    "99": ("reqCompletedOrders", None), "100": ("reqWshMetaData", 1),
    "101": ("cancelWshMetaData", 1), "102": ("reqWshEventData", 1),
    "103": ("cancelWshEventData", 1), "104": ("reqUserInfo", 1),
    "105": ("reqCurrentTimeInMillis", None), "106": ("cancelContractData", 1),
    "107": ("cancelHistoricalTicks", 1), "108": ("reqConfig", 1), "109": ("updateConfig", 1),
}  # fmt: skip


def request_id(fields: list[str]) -> int:
    """The request (or order) id a message carries, or -1 when it has none."""
    position = REQUESTS.get(fields[0], ("", None))[1]
    try:
        return int(fields[position]) if position is not None else -1
    except (IndexError, ValueError):
        return -1


def not_supported_text(msg_id: str) -> str:
    name = REQUESTS.get(msg_id, (f"message id {msg_id}", None))[0]
    return f"Error processing request.-'{name}' : cause - not supported by this simulator"


class EmptyAnswers:
    """Requests whose answer for a simulated individual paper account is known and empty."""

    def __init__(self, session: Client) -> None:
        self.session = session

    def routes(self) -> dict[str, Any]:
        return {
            "14": self.set_server_log_level,
            "17": self.req_managed_accounts,
            "79": self.req_soft_dollar_tiers,
            "80": self.req_family_codes,
        }

    def set_server_log_level(self, fields: list[str]) -> None:
        """IB changes its own log level and answers nothing."""

    def req_managed_accounts(self, fields: list[str]) -> None:
        self.session.send(msg.managed_accounts([self.session.account]))

    def req_soft_dollar_tiers(self, fields: list[str]) -> None:
        req_id = FieldReader(fields, 1).integer()
        self.session.send(["77", str(req_id), "0"])  # SOFT_DOLLAR_TIERS, none

    def req_family_codes(self, fields: list[str]) -> None:
        self.session.send(["78", "0"])  # FAMILY_CODES: an individual account has none
