"""The benchmark's report: one table of workloads, each a ratio to the bare Django baseline of the
same run, then whether each target is met. Pure functions of the figures, so they are tested
without wrk or a server."""

from dataclasses import dataclass

BARE = "bare Django"
CALM = "calm"
CHURN = "churn"
WARM = "single warm page"
UNCACHED = "uncached article, 200 comments"
FLOOR = "floor under the uncached article"
SEARCH = "search"
VARNISH = "Varnish: "
VARNISH_WARM = VARNISH + WARM
VARNISH_CALM = VARNISH + CALM
VARNISH_CHURN = VARNISH + CHURN
COMMENT_POST = "comment POST"
LEAD_POST = "lead POST"

# Each workload's floor as a share of the bare baseline's requests per second.
RATIO_TARGETS = {CHURN: 0.5, CALM: 0.7, WARM: 0.9, UNCACHED: 0.1, SEARCH: 0.2}
VARNISH_RATIO_TARGET = 5.0
CHURN_P99_TARGET_MS = 50
POST_P99_TARGET_MS = 100
RSS_TARGET_MB = 150


@dataclass
class Row:
    workload: str
    paths: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    notes: str = ""


def ratio(row: Row, bare: Row | None) -> float | None:
    if bare is None or not bare.requests_per_second:
        return None
    return row.requests_per_second / bare.requests_per_second


def table(rows: list[Row]) -> list[str]:
    bare = next((row for row in rows if row.workload == BARE), None)
    lines = [
        "| workload | path(s) | req/s | × bare | p50 ms | p99 ms | errors | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        times = ratio(row, bare)
        lines.append(
            f"| {row.workload} | {row.paths} | {row.requests_per_second:,.0f} | "
            f"{'' if times is None else f'{times:.2f}'} | {row.p50_ms:.1f} | {row.p99_ms:.1f} | "
            f"{row.errors} | {row.notes} |"
        )
    return lines


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def assess(
    rows: list[Row],
    *,
    rss_mb: list[float],
    queries: dict[str, dict[str, int]],
) -> list[str]:
    """One line per target: met, not met, or not measured in this run."""
    by_name = {row.workload: row for row in rows}
    bare = by_name.get(BARE)
    lines = []

    def times(name: str) -> float | None:
        return ratio(by_name[name], bare) if name in by_name else None

    churn = times(CHURN)
    if churn is None:
        lines.append(f"churn ≥ {RATIO_TARGETS[CHURN]:g} × bare with p99 < 50 ms: not measured")
    else:
        p99 = by_name[CHURN].p99_ms
        met = churn >= RATIO_TARGETS[CHURN] and p99 < CHURN_P99_TARGET_MS
        lines.append(
            f"churn ≥ {RATIO_TARGETS[CHURN]:g} × bare with p99 < {CHURN_P99_TARGET_MS} ms: "
            f"{_verdict(met)} ({churn:.2f} ×, p99 {p99:.1f} ms)"
        )
    for name in (CALM, WARM, UNCACHED, SEARCH):
        value = times(name)
        target = RATIO_TARGETS[name]
        lines.append(
            f"{name} ≥ {target:g} × bare: "
            + ("not measured" if value is None else f"{_verdict(value >= target)} ({value:.2f} ×)")
        )
    through_cdn = {name: times(name) for name in (VARNISH_WARM, VARNISH_CALM, VARNISH_CHURN)}
    measured = {name: value for name, value in through_cdn.items() if value is not None}
    lines.append(
        f"through Varnish ≥ {VARNISH_RATIO_TARGET:g} × bare: "
        + (
            f"{_verdict(min(measured.values()) >= VARNISH_RATIO_TARGET)} ("
            + ", ".join(
                f"{name.removeprefix(VARNISH)} {value:.2f} ×" for name, value in measured.items()
            )
            + ")"
            if measured
            else "not measured"
        )
    )
    if len(queries) >= 2:
        sizes = list(queries.values())
        pages = [page for page in sizes[0] if all(page in size for size in sizes)]
        changed = [page for page in pages if len({size[page] for size in sizes}) > 1]
        lines.append(
            "queries per page constant in data size: "
            + _verdict(not changed)
            + (f" ({', '.join(changed)} change)" if changed else f" ({len(pages)} pages)")
        )
    else:
        lines.append("queries per page constant in data size: not measured (one data size)")
    lines.append(
        f"worker RSS < {RSS_TARGET_MB} MB: "
        + (
            f"{_verdict(max(rss_mb) < RSS_TARGET_MB)} (max {max(rss_mb):.0f} MB)"
            if rss_mb
            else "not measured"
        )
    )
    for name in (COMMENT_POST, LEAD_POST):
        row = by_name.get(name)
        lines.append(
            f"{name} p99 < {POST_P99_TARGET_MS} ms: "
            + (
                "not measured"
                if row is None
                else f"{_verdict(row.p99_ms < POST_P99_TARGET_MS)} ({row.p99_ms:.1f} ms)"
            )
        )
    return lines


def query_table(queries: dict[str, dict[str, int]]) -> list[str]:
    """Queries per page (rows) at each data size (columns)."""
    if not queries:
        return []
    sizes = list(queries)
    pages = list(dict.fromkeys(page for counts in queries.values() for page in counts))
    lines = [
        "| page | " + " | ".join(sizes) + " |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " |",
    ]
    for page in pages:
        cells = [str(queries[size].get(page, "")) for size in sizes]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    return lines


def render(
    rows: list[Row],
    *,
    setup: str,
    method: list[str],
    notes: list[str],
    rss_mb: list[float],
    queries: dict[str, dict[str, int]],
    command: str,
) -> str:
    lines = ["# Benchmarks", "", setup, "", *table(rows), "", "Targets:", ""]
    lines += [f"- {line}" for line in assess(rows, rss_mb=rss_mb, queries=queries)]
    lines += ["", "Notes:", ""]
    lines += [f"- {line}" for line in [*method, *notes]]
    if queries:
        lines += ["", "SQL queries per page (page cache off, second request):", ""]
        lines += query_table(queries)
    lines += ["", f"Made by `{command}`."]
    return "\n".join(lines) + "\n"
