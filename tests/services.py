"""What the tests know about the services this machine runs (PostgreSQL, Redis)."""

import socket


def redis_available(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False
