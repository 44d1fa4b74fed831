"""The bare Django baseline of `make bench`: every figure of the report is a ratio to it."""
