"""Forgetting what ib_async remembers about requests that are over.

ib_async 2.1's ``Wrapper`` registers each request in maps keyed by request id, and not all of
them are emptied when the request ends:

- ``reqId2Ticker``: every market data request (snapshot or stream) stays there for good;
  ``endTicker`` and ``cancelMktData`` remove the ticker from ``ticker2ReqId`` and
  ``_reqId2Contract`` only (about 1.7 KB per snapshot, a straight line in RSS).
- ``_results``: a request IB answers with an error ends its future (``_endReq(..., success=
  False)``) but keeps its result container (e.g. each "no security definition" lookup).

Both are only ever read while the request runs, so dropping them afterwards is safe.

- ``trades``/``permId2Trade``/``fills``: every order of the session (ours, and the other
  clients' and completed ones that open- and completed-order requests report), with its
  events, log and fills: about 9 KB an order (measured), for as long as the session lasts.
  Orders that are over (filled or cancelled) are forgotten beyond the most recent ``keep``;
  IB still reports them (completed orders, executions) when asked.
"""

from __future__ import annotations

from ib_async import Wrapper

# Over for good: IB sends nothing more that matters for them. (ib_async's own DoneStates also
# counts Inactive, which an order can leave again.)
OVER = frozenset({"Filled", "Cancelled", "ApiCancelled"})


def forget_request(wrapper: Wrapper, req_id: int) -> None:
    """Drop every trace of the (finished or abandoned) request ``req_id``."""
    wrapper.reqId2Ticker.pop(req_id, None)
    wrapper._reqId2Contract.pop(req_id, None)
    wrapper._futures.pop(req_id, None)
    wrapper._results.pop(req_id, None)


def forget_finished(wrapper: Wrapper) -> None:
    """Drop the state of requests that are over: results whose future is gone (they ended
    with an error), and futures already done (a caller gave up and cancelled them; IB never
    answered, so ib_async's own end-of-request step never ran). A live request's future is
    never done: ib_async takes it out of the map before it sets its result."""
    for key, future in list(wrapper._futures.items()):
        if future.done():
            wrapper._futures.pop(key, None)
            wrapper._results.pop(key, None)
            wrapper._reqId2Contract.pop(key, None)
    for key in wrapper._results.keys() - wrapper._futures.keys():
        del wrapper._results[key]


def forget_old_trades(wrapper: Wrapper, keep: int) -> int:
    """Forget the oldest finished orders beyond the most recent ``keep``; how many went."""
    over = [key for key, trade in wrapper.trades.items() if trade.orderStatus.status in OVER]
    gone = over[: max(0, len(over) - keep)]
    for key in gone:
        trade = wrapper.trades.pop(key)
        for perm_id in {trade.order.permId, trade.orderStatus.permId}:
            if wrapper.permId2Trade.get(perm_id) is trade:
                del wrapper.permId2Trade[perm_id]
        for fill in trade.fills:
            wrapper.fills.pop(fill.execution.execId, None)
    # executions IB reported for orders this session does not know (other clients)
    for exec_id in list(wrapper.fills)[: max(0, len(wrapper.fills) - 2 * keep)]:
        del wrapper.fills[exec_id]
    return len(gone)
