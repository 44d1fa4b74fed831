"""wrk, run and read: requests per second, the p50 and p99 latencies, errors, and what the
benchmark's Lua scripts (bench/reads.lua, bench/post.lua) counted of the answers."""

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
READS_SCRIPT = BENCH / "reads.lua"
POST_SCRIPT = BENCH / "post.lua"
# As every browser does: the page cache keeps pages compressed for such readers.
BROWSER_HEADERS = ("Accept-Encoding: gzip, deflate, br",)
DURATION_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class WrkRun:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int = 0
    socket_errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    page_cache: dict[str, int] = field(default_factory=dict)  # X-Page-Cache values
    cdn_cache: dict[str, int] = field(default_factory=dict)  # X-Cache values

    def errors(self, accepted_status: int = 200) -> int:
        """Connection errors and timeouts, and every answer but the expected one."""
        wrong = sum(n for status, n in self.statuses.items() if status != accepted_status)
        return self.socket_errors + wrong


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * DURATION_UNITS[unit]


def _counts(output: str, label: str) -> dict[str, int]:
    match = re.search(rf"^{re.escape(label)} ?(.*)$", output, re.MULTILINE)
    if match is None:
        return {}
    return {value: int(n) for value, n in re.findall(r"(\S+?)=(\d+)", match.group(1))}


def parse_wrk(output: str) -> WrkRun:
    """What `wrk --latency` printed, with the lines of the scripts' done()."""
    socket_errors = re.search(r"Socket errors:.*", output)
    requests = re.search(r"(\d+) requests in", output)
    return WrkRun(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=to_ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        p99_ms=to_ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
        requests=int(requests.group(1)) if requests else 0,
        socket_errors=(
            sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0))) if socket_errors else 0
        ),
        statuses={int(status): n for status, n in _counts(output, "statuses").items()},
        page_cache=_counts(output, "x-page-cache"),
        cdn_cache=_counts(output, "x-cache"),
    )


def run_wrk(
    url: str,
    *,
    duration: int,
    connections: int,
    threads: int,
    timeout: int,
    script: Path,
    script_arguments: list[str],
    headers: tuple[str, ...] = (),
) -> WrkRun:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    command += [f"--timeout={timeout}s", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    command += [url, "--", *script_arguments]
    return parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def mix(counts: dict[str, int]) -> str:
    """`hit 97%, miss 3%`: the share of each value, most frequent first ("" when none)."""
    total = sum(counts.values())
    if not total or set(counts) == {"none"}:
        return ""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{value} {n / total:.0%}" for value, n in ordered)
