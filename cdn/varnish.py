"""Start Debian's varnishd in front of the app with cdn/default.vcl, for `make serve-cdn`, the
benchmark and the tests.

    with running_varnish(port=8080, backend_port=8000) as varnish:
        urlopen(varnish.url + "/")

or from a shell, until Ctrl-C: `python -m cdn.varnish --port 8080 --backend-port 8000`.
"""

import argparse
import contextlib
import http.client
import ipaddress
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

VCL_TEMPLATE = Path(__file__).with_name("default.vcl")
# Host names go into a VCL string and a regular expression: letters, digits, dots, dashes.
HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")
PLACEHOLDER = re.compile(r"@@[A-Z_]+@@")
START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10


class VarnishError(RuntimeError):
    pass


@dataclass(frozen=True)
class Varnish:
    url: str  # http://127.0.0.1:<port>, where clients send requests
    purge_url: str  # where careers_site.cdn.purge sends PURGE (DJANGO_CDN_PURGE_URLS)
    workdir: Path  # varnishd's -n: `varnishlog -n <workdir>`, `varnishadm -n <workdir>`
    pid: int


def find_varnishd() -> str:
    # /usr/sbin is not on every user's PATH.
    found = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise VarnishError("varnishd is not installed: apt-get install varnish")
    return found


def render_vcl(
    *,
    backend_host: str,
    backend_port: int,
    purgers: Sequence[str],
    site_hosts: Sequence[str],
) -> str:
    """cdn/default.vcl with its placeholders filled; ValueError on a value that does not fit."""
    if not (HOST_NAME.match(backend_host) or _is_ip(backend_host)):
        raise ValueError(f"Not a host name or address: {backend_host!r}")
    if not 0 < int(backend_port) < 65536:
        raise ValueError(f"Not a port: {backend_port!r}")
    if not purgers:
        raise ValueError("At least one purger address is needed (the app's)")
    for purger in purgers:
        ipaddress.ip_network(purger, strict=False)  # an address or a network; ValueError if not
    if not site_hosts:
        raise ValueError("At least one of the site's host names is needed")
    for host in site_hosts:
        if not (HOST_NAME.match(host) or _is_ip(host)):
            raise ValueError(f"Not a host name or address: {host!r}")
    values = {
        "BACKEND_HOST": backend_host,
        "BACKEND_PORT": str(int(backend_port)),
        "PURGERS": "\n".join(_acl_entry(purger) for purger in purgers),
        "SITE_HOSTS": "|".join(_host_pattern(host) for host in site_hosts),
    }
    vcl = VCL_TEMPLATE.read_text()
    for name, value in values.items():
        vcl = vcl.replace(f"@@{name}@@", value)
    if PLACEHOLDER.search(vcl):
        raise ValueError(f"A placeholder of {VCL_TEMPLATE} was left unfilled")
    return vcl


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


def _acl_entry(purger: str) -> str:
    network = ipaddress.ip_network(purger, strict=False)
    if network.num_addresses == 1:
        return f'    "{network.network_address}";'
    return f'    "{network.network_address}"/{network.prefixlen};'


def _host_pattern(host: str) -> str:
    host = host.lower()
    if ":" in host.strip("[]"):  # IPv6, as it appears in a URL
        host = f"[{host.strip('[]')}]"
    return re.escape(host)


@contextlib.contextmanager
def running_varnish(
    *,
    port: int,
    backend_port: int,
    backend_host: str = "127.0.0.1",
    purgers: Sequence[str] = ("127.0.0.1",),
    site_hosts: Sequence[str] = ("127.0.0.1", "localhost"),
    memory_mb: int = 64,
) -> Iterator[Varnish]:
    """A varnishd listening on 127.0.0.1:<port> in front of backend_host:backend_port, stopped and
    its working directory deleted when the block ends, however it ends."""
    varnishd = find_varnishd()
    vcl = render_vcl(
        backend_host=backend_host,
        backend_port=backend_port,
        purgers=tuple(purgers),
        site_hosts=tuple(site_hosts),
    )
    root = Path(tempfile.mkdtemp(prefix="careers-varnish-"))
    process = None
    try:
        # Run as root, varnishd compiles the VCL as the user varnish and serves as vcache (its
        # "unix" jail): they must be able to read the VCL and enter the folder. varnishd creates
        # its own working directory (-n) inside with the owners it needs.
        root.chmod(0o755)
        vcl_path = root / "default.vcl"
        vcl_path.write_text(vcl)
        vcl_path.chmod(0o644)
        workdir = root / "varnishd"
        log_path = root / "varnishd.log"
        command = [
            varnishd,
            "-F",  # in the foreground: this process is varnishd's manager, stopped with SIGTERM
            "-n", str(workdir),
            "-f", str(vcl_path),
            "-a", f"127.0.0.1:{int(port)}",
            "-s", f"malloc,{int(memory_mb)}m",
        ]  # fmt: skip
        with log_path.open("wb") as log:
            # Its own session: a Ctrl-C in the terminal reaches this process, which then stops
            # varnishd in order, rather than both at once.
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{int(port)}"
        _wait_until_answering(process, port=int(port), log_path=log_path)
        yield Varnish(url=url, purge_url=url + "/", workdir=workdir, pid=process.pid)
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_answering(process: subprocess.Popen, *, port: int, log_path: Path) -> None:
    """Until varnishd answers an HTTP request itself (a PURGE with a key it refuses: no backend
    involved, nothing banned, from any address)."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        if process.poll() is not None:
            raise VarnishError(
                f"varnishd exited with status {process.returncode}:\n{_tail(log_path)}"
            )
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("PURGE", "/", headers={"Surrogate-Key": "!"})
            if connection.getresponse().status in (400, 403):
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        if time.monotonic() > deadline:
            raise VarnishError(
                f"varnishd did not answer on port {port} within {START_TIMEOUT_SECONDS} s:\n"
                f"{_tail(log_path)}"
            )
        time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            # The manager did not stop its child in time: stop the whole group it leads.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m cdn.varnish",
        description="Serve Varnish with cdn/default.vcl in front of the app until Ctrl-C.",
    )
    parser.add_argument("--port", type=int, default=8080, help="where Varnish listens (8080)")
    parser.add_argument("--backend-port", type=int, default=8000, help="the app's port (8000)")
    parser.add_argument("--backend-host", default="127.0.0.1", help="the app's host (127.0.0.1)")
    parser.add_argument(
        "--purger",
        action="append",
        help="an address or network allowed to PURGE; repeat for more (default 127.0.0.1)",
    )
    parser.add_argument(
        "--site-host",
        action="append",
        help="one of the site's own host names, for the Referer check; repeat for more "
        "(default 127.0.0.1 and localhost)",
    )
    parser.add_argument("--memory-mb", type=int, default=64, help="cache size in MB (64)")
    args = parser.parse_args(argv)

    # `kill` (and bin/serve-cdn stopping) ends the block like Ctrl-C does: varnishd stops too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with running_varnish(
            port=args.port,
            backend_port=args.backend_port,
            backend_host=args.backend_host,
            purgers=args.purger or ("127.0.0.1",),
            site_hosts=args.site_host or ("127.0.0.1", "localhost"),
            memory_mb=args.memory_mb,
        ) as varnish:
            print(
                f"Varnish on {varnish.url}/ in front of "
                f"http://{args.backend_host}:{args.backend_port}/ (Ctrl-C to stop)",
                flush=True,
            )
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    except (VarnishError, ValueError) as error:
        sys.exit(f"cdn.varnish: {error}")


if __name__ == "__main__":
    main()
