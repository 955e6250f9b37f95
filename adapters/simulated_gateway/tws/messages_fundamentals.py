"""Server -> client company data: FUNDAMENTAL_DATA (51, with a version field), WSH_META_DATA
(104) and WSH_EVENT_DATA (105), as ib_async 2.1.0 decodes them."""

from __future__ import annotations

from adapters.simulated_gateway.tws.messages import Fields

FUNDAMENTAL_DATA = "51"
WSH_META_DATA = "104"
WSH_EVENT_DATA = "105"


def fundamental_data(req_id: int, xml: str) -> Fields:
    return [FUNDAMENTAL_DATA, "1", str(req_id), xml]


def wsh_meta_data(req_id: int, data_json: str) -> Fields:
    return [WSH_META_DATA, str(req_id), data_json]


def wsh_event_data(req_id: int, data_json: str) -> Fields:
    return [WSH_EVENT_DATA, str(req_id), data_json]
