"""Throwaway servers for `make chaos`: a PostgreSQL cluster, Redis, an SMTP sink and the site
itself, each on its own port under one temporary folder, started and stopped at will.

Nothing here touches the machine's own PostgreSQL or Redis.
"""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As the servers do, so that connections of an earlier run in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(preferred: int, span: int = 50) -> int:
    for port in range(preferred, preferred + span):
        if port_is_free(port):
            return port
    raise RuntimeError(f"no free port in {preferred}-{preferred + span - 1}")


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {timeout:g} s")


def wait_for_port_closed(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} still answers after {timeout:g} s")


class Process:
    """A child process in its own session, so that it and its children stop together."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict | None = None):
        self.name, self.command, self.log, self.env = name, command, log, env
        self.popen: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.popen = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self, timeout: float = 15) -> None:
        if not self.running:
            return
        pgid = self.popen.pid  # its own session: the group id is its pid
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.popen.wait(5)
        # Children left behind in the group (a worker that ignored the signal).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


class PostgreSQL:
    """A cluster made by initdb in the work folder; run as the `postgres` user when we are root."""

    def __init__(self, workdir: Path, port: int):
        self.port = port
        self.datadir = workdir / "pg"
        self.log = workdir / "postgresql.log"
        bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
        self.bindir = Path(os.environ.get("CHAOS_PG_BINDIR", bindirs[0] if bindirs else ""))
        if not (self.bindir / "initdb").exists():
            raise RuntimeError("PostgreSQL's initdb not found (apt-get install postgresql)")
        self.as_root = os.geteuid() == 0

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run(
            [*prefix, *command], cwd="/", capture_output=True, text=True, check=check
        )

    def init(self, database: str) -> None:
        self.datadir.mkdir()
        self.log.touch()
        if self.as_root:
            shutil.chown(self.datadir, "postgres", "postgres")
            shutil.chown(self.log, "postgres", "postgres")
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        self.start()
        self._run(
            str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "postgres", database,
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.log),
            "-o", options, "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        if (self.datadir / "postmaster.pid").exists():
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop",
                check=False,
            )  # fmt: skip


class Redis(Process):
    def __init__(self, workdir: Path, port: int):
        self.port = port
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(workdir), "--daemonize", "no", "--loglevel", "warning",
        ]  # fmt: skip
        super().__init__("redis", command, workdir / "redis.log")

    def start(self) -> None:
        super().start()
        wait_for_port(self.port, 10)

    def stop(self, timeout: float = 15) -> None:
        super().stop(timeout)
        wait_for_port_closed(self.port, 10)


class SMTPSink(Process):
    def __init__(self, workdir: Path, port: int):
        self.port = port
        self.messages_path = workdir / "messages.jsonl"
        command = [sys.executable, "-m", "chaos.smtp_sink", "--port", str(port)]
        super().__init__("smtp", [*command, "--out", str(self.messages_path)], workdir / "smtp.log")

    def start(self) -> None:
        super().start()
        wait_for_port(self.port, 10)

    def stop(self, timeout: float = 15) -> None:
        super().stop(timeout)
        wait_for_port_closed(self.port, 10)

    def messages(self) -> list[dict]:
        import json

        if not self.messages_path.exists():
            return []
        with open(self.messages_path, encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
