"""Request handlers: each group turns TWS API requests into calls on the world and replies, and
keeps its subscriptions streaming. They are typed against ``tws.client.Client``."""
