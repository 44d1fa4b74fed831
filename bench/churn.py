"""The living site beside the readers of `make bench`'s churn workload: returning commenters post a
comment a second and an editor saves an article every 10 s.

    python -m bench.churn --base URL --paths FILE --hot N --hot-share 0.8 --duration 10
        --run-id ID --regulars a@example.com,b@example.com

Run by bench/run.py with the server's own environment (DATABASE_URL, REDIS_URL and, with a CDN in
front, DJANGO_CDN_PURGE_URLS), so that its saves invalidate what the server would. Each comment is a
real form submission, as bench/client.Browser makes it (CSRF cookie and token, hidden fields, the
signed time trap waited out), by a regular whose earlier comment was approved, with a new text, on
an article drawn like a reader's read (bench/traffic.py): approved at once. Each edit changes an
article's body a little and calls `.save()`, in this process, so that the app's signals run.

Prints "ready" once the first form can be sent back (the caller then starts its readers), works
for `--duration` seconds, then prints "summary {json}": what it sent and what the database holds.
"""

import argparse
import json
import random
import re
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.client import TIME_TRAP_SECONDS, Browser, Form
from bench.traffic import ReadMix

ACCEPTED = 302  # a comment form answers a successful submission with a redirect to the comment
EDIT_NOTE = re.compile(r"\n\n_Reviewed by the editors at [^\n]*_\n?$")


def marker(run_id: str) -> str:
    """In the text of every comment of the churn of a run (the regulars' addresses stay)."""
    return f"churn-{run_id}-"


@dataclass
class Summary:
    posted: int = 0
    accepted: int = 0
    answers: dict[str, int] = field(default_factory=dict)  # by status, "none" for no answer
    stored: int = 0
    approved: int = 0
    held: int = 0  # stored but not approved: a returning commenter must not wait
    missing: int = 0  # accepted but not in the database
    edits: int = 0
    edit_ms_max: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return self.posted - self.accepted + self.held + self.missing + len(self.failures)

    def describe(self) -> str:
        edits = f"{self.edits} edit" + "s" * (self.edits != 1)
        text = f"{self.posted} comments posted, {self.approved} approved; {edits}"
        if self.edits:
            text += f" (slowest save {self.edit_ms_max:.0f} ms)"
        trouble = [
            f"{self.posted - self.accepted} refused or unanswered" * (self.posted > self.accepted),
            f"{self.held} held" * bool(self.held),
            f"{self.missing} lost" * bool(self.missing),
            *self.failures,
        ]
        trouble = [item for item in trouble if item]
        return text + (f"; **{', '.join(trouble)}**" if trouble else "")

    @classmethod
    def from_json(cls, text: str) -> "Summary":
        return cls(**json.loads(text))


@dataclass
class Pending:
    """A form fetched by a regular's browser, to be sent back once the time trap allows."""

    browser: Browser
    email: str
    name: str
    path: str
    form: Form
    fetched_at: float


class Commenter:
    def __init__(self, base: str, mix: ReadMix, regulars: list[str], run_id: str, seed: int):
        self.mix = mix
        self.run_id = run_id
        self.rng = random.Random(seed)
        self.browsers = [(Browser(base), email, f"Regular {n}") for n, email in enumerate(regulars)]
        self.queue: deque[Pending] = deque()
        self.answers: Counter = Counter()
        self.sent: list[str] = []  # the texts the site accepted
        self.count = 0
        self.fetched = 0

    def fetch(self) -> None:
        browser, email, name = self.browsers[self.fetched % len(self.browsers)]
        self.fetched += 1
        path = self.mix.pick(self.rng)
        form = browser.comment_form(path)
        self.queue.append(Pending(browser, email, name, path, form, time.monotonic()))

    def fill(self, ahead: int) -> None:
        """Fetch forms to keep `ahead` in hand: one is sent back per tick, `ahead` ticks later."""
        while len(self.queue) < ahead:
            self.fetch()

    def post_one(self) -> None:
        pending = self.queue.popleft()
        time.sleep(max(0.0, pending.fetched_at + TIME_TRAP_SECONDS - time.monotonic()))
        self.count += 1
        body = (
            "Back again: this guide keeps helping me as I move into machine learning. "
            f"Note {marker(self.run_id)}{self.count}."
        )
        fields = {
            **pending.form.fields,
            "body": body,
            "author_name": pending.name,
            "author_email": pending.email,
            "author_url": "",
        }
        try:
            answer = pending.browser.request(f"{pending.path.rstrip('/')}/comments/", fields)
        except OSError:
            self.answers["none"] += 1
            return
        self.answers[str(answer.status)] += 1
        if answer.status == ACCEPTED:
            self.sent.append(body)


class Editor(threading.Thread):
    """Saves an article every `every` seconds until `deadline`, through the ORM."""

    def __init__(self, mix: ReadMix, every: float, seed: int):
        super().__init__(name="editor", daemon=True)
        self.mix = mix
        self.every = every
        self.rng = random.Random(seed)
        self.deadline = 0.0
        self.edits = 0
        self.slowest_ms = 0.0
        self.failure = ""

    def run(self) -> None:
        from django.db import connection

        try:
            # The first half-way into the first interval, so that a run as long as one interval
            # (10 s by default) still has an edit in it.
            next_edit = time.monotonic() + self.every / 2
            while next_edit < self.deadline:
                time.sleep(max(0.0, next_edit - time.monotonic()))
                started = time.perf_counter()
                edit_article(self.mix.pick(self.rng))
                self.slowest_ms = max(self.slowest_ms, (time.perf_counter() - started) * 1000)
                self.edits += 1
                next_edit += self.every
        except Exception as error:  # reported in the summary: the run goes on without edits
            self.failure = f"editor failed: {error!r}"
        finally:
            connection.close()


def edit_article(path: str) -> None:
    """What an editor does in the admin, in short: a small change to the body, then `.save()`."""
    from django.urls import resolve

    from articles.models import Article

    article = Article.objects.get(slug=resolve(path).kwargs["slug"])
    article.body = reviewed(article.body, time.strftime("%H:%M:%S"))
    article.save()


def reviewed(body: str, stamp: str) -> str:
    """The body with one editor's note at its end, in place of the last one: it does not grow."""
    return EDIT_NOTE.sub("", body) + f"\n\n_Reviewed by the editors at {stamp}_\n"


def stored(run_id: str, sent: list[str]) -> tuple[int, int, int, int]:
    """Of the churn's comments: stored, approved, held (stored, not approved), missing."""
    from comments.models import Comment

    rows = dict(Comment.objects.filter(body__contains=marker(run_id)).values_list("body", "status"))
    approved = sum(1 for status in rows.values() if status == Comment.Status.APPROVED)
    missing = sum(1 for body in sent if body not in rows)
    return len(rows), approved, len(rows) - approved, missing


def remove(run_id: str) -> int:
    """Delete the churn's comments (the regulars' earlier ones stay)."""
    from comments.models import Comment

    return Comment.objects.filter(body__contains=marker(run_id)).delete()[0]


def churn(args: argparse.Namespace) -> Summary:
    paths = [line for line in Path(args.paths).read_text().splitlines() if line]
    mix = ReadMix(tuple(paths), args.hot, args.hot_share)
    commenter = Commenter(args.base, mix, args.regulars.split(","), args.run_id, args.seed)
    editor = Editor(mix, args.edit_every, args.seed + 1)
    ahead = int(TIME_TRAP_SECONDS / args.comment_every) + 2
    summary = Summary()
    commenter.fill(ahead)
    time.sleep(max(0.0, commenter.queue[0].fetched_at + TIME_TRAP_SECONDS - time.monotonic()))
    print("ready", flush=True)
    deadline = time.monotonic() + args.duration
    editor.deadline = deadline
    editor.start()
    next_comment = time.monotonic()
    while next_comment < deadline:
        time.sleep(max(0.0, next_comment - time.monotonic()))
        try:
            commenter.post_one()
            commenter.fill(ahead)
        except Exception as error:  # a form that cannot be fetched: reported, the run goes on
            summary.failures.append(f"commenter: {error!r}")
            break
        next_comment += args.comment_every
    editor.join()
    summary.posted = sum(commenter.answers.values())
    summary.accepted = commenter.answers[str(ACCEPTED)]
    summary.answers = dict(commenter.answers)
    summary.stored, summary.approved, summary.held, summary.missing = stored(
        args.run_id, commenter.sent
    )
    summary.edits, summary.edit_ms_max = editor.edits, editor.slowest_ms
    if editor.failure:
        summary.failures.append(editor.failure)
    return summary


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="where the readers post (the site or a CDN)")
    parser.add_argument("--paths", required=True, help="the readers' paths, most read first")
    parser.add_argument("--hot", type=int, required=True)
    parser.add_argument("--hot-share", type=float, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--regulars", required=True, help="comma-separated e-mail addresses")
    parser.add_argument("--comment-every", type=float, default=1.0, help="seconds")
    parser.add_argument("--edit-every", type=float, default=10.0, help="seconds")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    summary = churn(args)
    print("summary " + json.dumps(asdict(summary)), flush=True)


if __name__ == "__main__":
    main()
