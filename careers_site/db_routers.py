"""Reads from a PostgreSQL read replica, writes to the primary (with DATABASE_REPLICA_URL)."""

from django.db import transaction


class PrimaryReplicaRouter:
    """Sends reads to "replica" and everything else to "default".

    A read inside a transaction on the primary stays on the primary, so a service that writes and
    reads back in one transaction never sees the replica's lag.
    """

    def db_for_read(self, model, **hints) -> str:
        if transaction.get_connection("default").in_atomic_block:
            return "default"
        return "replica"

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db == "default"
