"""A gateway someone else runs: we only connect to it and probe it."""
