"""The simulator as a service: ``SimulatedGateway`` behind the ``GatewayRuntime`` port
(``runtime``) and the standalone process with its loopback fault-control HTTP (``standalone``)."""
