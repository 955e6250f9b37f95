"""Forgetting what ib_async remembers about requests that are over.

ib_async 2.1's ``Wrapper`` registers each request in maps keyed by request id, and not all of
them are emptied when the request ends:

- ``reqId2Ticker``: every market data request (snapshot or stream) stays there for good;
  ``endTicker`` and ``cancelMktData`` remove the ticker from ``ticker2ReqId`` and
  ``_reqId2Contract`` only (about 1.7 KB per snapshot, a straight line in RSS).
- ``_results``: a request IB answers with an error ends its future (``_endReq(..., success=
  False)``) but keeps its result container (e.g. each "no security definition" lookup).

Both are only ever read while the request runs, so dropping them afterwards is safe.
"""

from __future__ import annotations

from ib_async import Wrapper


def forget_request(wrapper: Wrapper, req_id: int) -> None:
    """Drop every trace of the (finished or abandoned) request ``req_id``."""
    wrapper.reqId2Ticker.pop(req_id, None)
    wrapper._reqId2Contract.pop(req_id, None)
    wrapper._futures.pop(req_id, None)
    wrapper._results.pop(req_id, None)


def forget_finished(wrapper: Wrapper) -> None:
    """Drop the results of requests whose future is gone (they ended with an error)."""
    for key in wrapper._results.keys() - wrapper._futures.keys():
        del wrapper._results[key]
