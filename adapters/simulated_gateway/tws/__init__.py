"""The TWS API wire protocol: framing and fields (``wire``), server -> client messages
(``messages*``), request decoders, the listener (``server``), one client's session (handshake,
dispatch), pacing, run-time faults and per-client order ids. ``handlers`` turns requests into
calls on the world; it sees its session and the server only through ``client``'s protocols."""
