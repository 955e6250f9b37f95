"""The simulated exchange: it accepts, works, fills and cancels orders by IB's rules and order
types (OCA groups, auctions, algos), exercises options and checks pre-trade risk."""
