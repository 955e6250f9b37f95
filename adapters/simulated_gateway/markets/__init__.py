"""The simulated market: instruments and contracts, price paths, bars and ticks, depth, options,
the scanner, trading calendars, symbol search and market rules."""
