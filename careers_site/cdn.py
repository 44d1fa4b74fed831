"""Purging the CDN in front (being written on the `cdn` branch)."""

from collections.abc import Iterable


def purge(keys: Iterable[str]) -> None:
    """Tell the CDN that the pages under these keys changed."""
