"""`manage.py db_worker` that outlives a database outage.

django-tasks-db's worker exits when a query fails because the database is gone; this one logs it,
waits and starts the worker again, so e-mails go out once the database is back without anybody
restarting anything. It takes the same options as `db_worker`.
"""

import contextlib
import logging
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

logger = logging.getLogger(__name__)

RESTART_AFTER_SECONDS = 5


class Command(DbWorkerCommand):
    help = "Run the database task worker; when the database goes away, wait for it and go on."

    def handle(self, *args, **options) -> None:
        while True:
            try:
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as error:
                logger.warning(
                    "Task worker: database unavailable (%s); starting again in %s s",
                    " ".join(str(error).split()) or repr(error),
                    RESTART_AFTER_SECONDS,
                )
            with contextlib.suppress(DatabaseError):
                connections.close_all()
            time.sleep(RESTART_AFTER_SECONDS)
