"""What the benchmark's readers read: every article, most of the reads on a few of them.

The paths go to wrk in a file (bench/reads.lua picks one per request) and to the churn's commenter
(bench/churn.py picks the article of each comment), both with the same rule: `hot_share` of the
picks among the `hot` most read paths, the rest spread over all the others.
"""

import random
from dataclasses import dataclass
from pathlib import Path

HOT_FRACTION = 0.1  # the most read tenth of the articles...
HOT_SHARE = 0.8  # ...takes four reads in five


@dataclass(frozen=True)
class ReadMix:
    paths: tuple[str, ...]  # most read first
    hot: int  # the first `hot` paths take `hot_share` of the picks
    hot_share: float = HOT_SHARE

    @classmethod
    def spread(
        cls, paths_most_read_first: list[str], *, hot_fraction: float = HOT_FRACTION
    ) -> "ReadMix":
        paths = tuple(paths_most_read_first)
        if not paths:
            raise ValueError("nothing to read")
        hot = min(len(paths), max(1, round(len(paths) * hot_fraction)))
        return cls(paths, hot)

    @classmethod
    def single(cls, path: str) -> "ReadMix":
        return cls((path,), 1, 1.0)

    def pick(self, rng: random.Random) -> str:
        """One path, as bench/reads.lua picks them."""
        if len(self.paths) <= self.hot or rng.random() < self.hot_share:
            return self.paths[rng.randrange(self.hot)]
        return self.paths[rng.randrange(self.hot, len(self.paths))]

    def write(self, file: Path) -> Path:
        file.write_text("".join(f"{path}\n" for path in self.paths))
        return file

    def wrk_arguments(self, file: Path, seed: int) -> list[str]:
        """What bench/reads.lua reads after `--`: the paths file, `hot`, `hot_share`, a seed."""
        return [str(file), str(self.hot), f"{self.hot_share:g}", str(seed)]

    def describe(self) -> str:
        if len(self.paths) == 1:
            return f"`{self.paths[0]}`"
        return (
            f"{len(self.paths):,} articles, {self.hot_share:.0%} of reads on the "
            f"{self.hot:,} most read"
        )
