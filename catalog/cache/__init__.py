"""Caching of reads: the data version every write moves, and the response cache keyed by it."""
