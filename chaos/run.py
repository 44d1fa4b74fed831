"""`make chaos`: the production shape against throwaway servers, and three faults.

Starts a PostgreSQL cluster (initdb), Redis and an SMTP sink of its own on free ports, seeds the
demo content, serves the site with `bin/serve` (gunicorn with gunicorn.conf.py and the task worker,
DEBUG off) and then, as a reader's browser would over HTTP:

a. mail server down: comments and information requests are all saved; once the server is back
   the worker delivers every e-mail, each exactly once;
b. Redis stopped mid-run: pages and forms keep answering, the outage is logged, Redis is used again
   once it is back;
c. PostgreSQL stopped: pages the cache holds are still served, any other gets a friendly 503 page,
   `/healthz` a 503; when it is back, pages answer 200
   again and the task worker sends mail again, without restarting anything.

Each scenario prints PASS or FAIL with its figures; the exit status is 1 if any failed. Everything
it started is stopped and its folder removed, whatever happens.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

from .client import Browser, ShownForm, fetch_comment_form, fetch_lead_form
from .servers import PYTHON, ROOT, PostgreSQL, Process, Redis, SMTPSink, free_port

DATABASE = "careers_chaos"
COACHES = "coaches@chaos.example"
MIN_FILL_SECONDS = 3  # COMMENTS_MIN_SECONDS_TO_SUBMIT and LEADS_MIN_FILL_SECONDS
FRIENDLY_503 = "We’ll be back in a moment"
SCRUBBED_PREFIXES = ("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_", "GUNICORN_", "COMMENTS_", "LEADS_")


@dataclass
class Outcome:
    name: str
    figures: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def figure(self, text: str) -> None:
        self.figures.append(text)
        print(f"    {text}", flush=True)

    def check(self, condition: bool, failure: str) -> bool:
        if not condition:
            self.failures.append(failure)
            print(f"    ! {failure}", flush=True)
        return condition

    @property
    def passed(self) -> bool:
        return not self.failures


def wait_until(predicate, timeout: float, interval: float = 0.25):
    """Calls `predicate` until it returns something true; returns it, or None after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


def sleep_until_fillable(forms: list[ShownForm]) -> None:
    """The time traps take a form sent back within 3 s of being shown for a bot's."""
    ready_at = max(form.shown_at for form in forms) + MIN_FILL_SECONDS + 0.3
    time.sleep(max(0.0, ready_at - time.time()))


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Chaos:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.tag = f"chaos{int(time.time())}"
        self.workdir = Path(tempfile.mkdtemp(prefix="careers-chaos-"))
        try:
            self.workdir.chmod(0o755)  # the postgres user reaches its cluster inside
            self.pg = PostgreSQL(self.workdir, free_port(args.pg_port))
            self.redis = Redis(self.workdir, free_port(args.redis_port))
            self.smtp = SMTPSink(self.workdir, free_port(args.smtp_port))
            self.app_port = free_port(args.app_port, span=21)
        except Exception:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self.base_url = f"http://127.0.0.1:{self.app_port}"
        self.app_log = self.workdir / "app.log"
        self.app = Process("app", [str(ROOT / "bin" / "serve")], self.app_log, self.env())
        self.data: dict = {}

    # Setting up and tearing down

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}
        env.update(
            {
                "DJANGO_SECRET_KEY": "chaos-only-secret-key-never-used-anywhere-else-0123456789",
                "DJANGO_DEBUG": "0",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": self.base_url,
                "DJANGO_STATIC_ROOT": str(self.workdir / "static"),
                "DJANGO_MEDIA_ROOT": str(self.workdir / "media"),
                "DJANGO_LOG_LEVEL": "INFO",
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg.port}/{DATABASE}",
                # Persistent connections: proves they are checked and renewed after an outage.
                "DATABASE_CONN_MAX_AGE": "60",
                "REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/0",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.smtp.port),
                "EMAIL_TIMEOUT": "5",
                "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
                "GUNICORN_WORKERS": "2",
                "GUNICORN_THREADS": "4",
                "COMMENTS_RATE_LIMIT_PER_MINUTE": "10000",
                "LEADS_RATE_LIMIT": "10000",
                "LEADS_NOTIFY_EMAILS": COACHES,
                # Retries a second apart (doubling), instead of minutes, so the run stays short.
                "COMMENTS_NOTIFICATION_RETRY_SECONDS": "1",
                "COMMENTS_NOTIFICATION_MAX_ATTEMPTS": "12",
                "LEADS_RETRY_SECONDS": "1",
                "LEADS_EMAIL_MAX_ATTEMPTS": "12",
            }
        )
        return env

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, *args], cwd=ROOT, env=self.env(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def setup(self) -> None:
        started = time.monotonic()
        print(f"Setting up in {self.workdir}", flush=True)
        self.pg.init(DATABASE)
        self.redis.start()
        self.smtp.start()
        self.manage("manage.py", "migrate", "--noinput", "-v", "0")
        self.manage("manage.py", "seed_demo")
        self.data = json.loads(self.manage("-m", "chaos.fixtures", str(self.args.n // 2)))
        self.app.start()
        # bin/serve collects static files and migrates before gunicorn listens.
        healthy = wait_until(
            lambda: not self.app.running or Browser(self.base_url).get("/healthz").status == 200,
            120,
        )
        if not (healthy and self.app.running):
            raise RuntimeError("the site did not start or is not healthy (server log below)")
        print(
            f"  PostgreSQL :{self.pg.port}, Redis :{self.redis.port}, SMTP sink :{self.smtp.port}, "
            f"site {self.base_url} (gunicorn + task worker), ready in "
            f"{time.monotonic() - started:.1f} s",
            flush=True,
        )

    def teardown(self) -> None:
        for step in (self.app.stop, self.smtp.stop, self.redis.stop, self.pg.stop):
            try:
                step()
            except Exception as error:  # keep cleaning up
                print(f"  cleanup: {step.__qualname__}: {error}", file=sys.stderr)
        if self.args.keep:
            print(f"Kept {self.workdir} (logs: app.log, postgresql.log, messages.jsonl)")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # Looking inside

    def query(self, sql: str, *params) -> list[tuple]:
        with psycopg.connect(
            host="127.0.0.1",
            port=self.pg.port,
            user="postgres",
            dbname=DATABASE,
            connect_timeout=3,
            autocommit=True,
        ) as connection:
            return connection.execute(sql, params).fetchall()

    def log_text(self, since: int = 0) -> str:
        with open(self.app_log, "rb") as log:
            log.seek(since)
            return log.read().decode("utf-8", "replace")

    def log_size(self) -> int:
        return self.app_log.stat().st_size

    def server_pids(self) -> tuple[int | None, list[int]]:
        """The gunicorn master (a child of bin/serve) and its workers."""

        def children(pid: int) -> list[tuple[int, str]]:
            out = subprocess.run(
                ["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True
            ).stdout
            return [(int(line.split()[0]), line) for line in out.splitlines() if line.strip()]

        master = next(
            (pid for pid, args in children(self.app.popen.pid) if "gunicorn" in args), None
        )
        workers = sorted(pid for pid, _ in children(master)) if master else []
        return master, workers

    # Sending what a reader sends

    def comment_fields(self, form: ShownForm, *, body: str, name: str, email: str, parent=None):
        fields = dict(form.fields)
        fields.update(body=body, author_name=name, author_email=email, author_url="")
        fields.pop("remember", None)
        fields.pop("notify_replies", None)
        fields["parent"] = str(parent) if parent else ""
        return fields

    def lead_fields(self, form: ShownForm, *, email: str, message: str) -> dict:
        fields = dict(form.fields)
        program = next((value for value in form.selects.get("program", []) if value), "")
        fields.update(
            first_name="Chaos",
            last_name="Tester",
            email=email,
            phone="",
            program=program,
            message=message,
            consent="on",
        )
        return fields

    def post_lead(self, browser: Browser, form: ShownForm, *, email: str, message: str):
        response = browser.post(
            form.action,
            self.lead_fields(form, email=email, message=message),
            headers={"Accept": "application/json"},
        )
        accepted = response.status == 200 and '"ok": true' in response.body
        return response, accepted

    def post_comment(self, browser: Browser, form: ShownForm, **fields):
        response = browser.post(form.action, self.comment_fields(form, **fields))
        return response, response.status == 302

    # Scenario a

    def mail_down(self) -> Outcome:
        outcome = Outcome("a. mail server down")
        n = self.args.n
        slug = self.data["slug"]
        parents = self.data["parents"]
        self.smtp.stop()
        went_down = time.monotonic()
        outcome.figure(f"SMTP sink stopped; sending {n} comments and {n} information requests")

        readers = [Browser(self.base_url) for _ in range(n)]
        comment_forms = [fetch_comment_form(browser, slug) for browser in readers]
        lead_forms = [fetch_lead_form(browser) for browser in readers]
        if not outcome.check(all(comment_forms) and all(lead_forms), "could not fetch the forms"):
            return outcome
        sleep_until_fillable(comment_forms + lead_forms)

        accepted_comments, accepted_leads = 0, 0
        lead_emails = []
        for number, (browser, form) in enumerate(zip(readers, comment_forms, strict=True)):
            token = f"[{self.tag}-a-c{number:03d}]"
            reply_to = parents[number // 2] if number % 2 and number // 2 < len(parents) else None
            if reply_to:  # a known author's reply: approved at once, e-mails the parent's writer
                email, parent = self.data["known_author_email"], reply_to["id"]
            else:  # a first comment: held, e-mails the moderators
                email, parent = f"reader-{number}@chaos.example", None
            _, ok = self.post_comment(
                browser,
                form,
                body=f"Posted while the mail server is down {token}",
                name=f"Reader {number}",
                email=email,
                parent=parent,
            )
            accepted_comments += ok
        for number, (browser, form) in enumerate(zip(readers, lead_forms, strict=True)):
            email = f"{self.tag}-a-lead-{number}@chaos.example"
            lead_emails.append(email)
            _, ok = self.post_lead(
                browser, form, email=email, message=f"{self.tag} a lead {number}"
            )
            accepted_leads += ok
        outcome.figure(f"accepted: {accepted_comments}/{n} comments, {accepted_leads}/{n} requests")
        outcome.check(accepted_comments == n, "some comments were refused")
        outcome.check(accepted_leads == n, "some information requests were refused")

        comments = self.query(
            "SELECT id, body, status FROM comments_comment WHERE body LIKE %s", f"%[{self.tag}-a-%"
        )
        submissions = self.query(
            "SELECT id FROM leads_submission WHERE email = ANY(%s)", lead_emails
        )
        statuses = sorted({status for _, _, status in comments})
        outcome.figure(
            f"saved: {len(comments)} comments (statuses {', '.join(statuses)}), "
            f"{len(submissions)} requests"
        )
        outcome.check(len(comments) == n, "not every comment was saved")
        outcome.check("spam" not in statuses, "a comment was taken for spam (time trap?)")
        outcome.check(len(submissions) == n, "not every information request was saved")
        comment_ids = [row[0] for row in comments]
        submission_ids = [row[0] for row in submissions]

        def delivery_state() -> dict:
            notes = self.query(
                "SELECT COUNT(*), COALESCE(SUM(attempts), 0), "
                "COUNT(*) FILTER (WHERE attempts = 0), COUNT(*) FILTER (WHERE status = 'pending'), "
                "COUNT(*) FILTER (WHERE status = 'sent') "
                "FROM comments_notification WHERE comment_id = ANY(%s)",
                comment_ids,
            )[0]
            subs = self.query(
                "SELECT COALESCE(SUM(email_attempts), 0), "
                "COUNT(*) FILTER (WHERE email_attempts = 0), "
                "COUNT(*) FILTER (WHERE confirmation_status = 'pending') "
                "+ COUNT(*) FILTER (WHERE notification_status = 'pending'), "
                "COUNT(*) FILTER (WHERE confirmation_status = 'sent') "
                "+ COUNT(*) FILTER (WHERE notification_status = 'sent') "
                "FROM leads_submission WHERE id = ANY(%s)",
                submission_ids,
            )[0]
            return {
                "notifications": notes[0],
                "attempts": notes[1] + subs[0],
                "untried": notes[2] + subs[1],
                "pending": (notes[3], subs[2]),
                "sent": notes[4] + subs[3],
            }

        tried = wait_until(lambda: delivery_state()["untried"] == 0, 30)
        time.sleep(max(0.0, self.args.mail_down - (time.monotonic() - went_down)))
        state = delivery_state()
        notifications, sent_while_down = state["notifications"], state["sent"]
        outcome.figure(
            f"while down ({time.monotonic() - went_down:.1f} s): {state['pending'][0]} comment "
            f"e-mails and {state['pending'][1]} request e-mails pending, {state['attempts']} "
            f"delivery attempts failed, {sent_while_down} sent"
        )
        outcome.check(bool(tried) and state["untried"] == 0, "the worker did not try every e-mail")
        outcome.check(sent_while_down == 0, "an e-mail was marked sent while the server was down")
        outcome.check(notifications >= n, f"expected at least {n} comment notifications")

        self.smtp.start()
        back = time.monotonic()

        def all_sent() -> bool:
            pending_notes = self.query(
                "SELECT COUNT(*) FROM comments_notification "
                "WHERE comment_id = ANY(%s) AND status <> 'sent'",
                comment_ids,
            )[0][0]
            pending_subs = self.query(
                "SELECT COUNT(*) FROM leads_submission WHERE id = ANY(%s) "
                "AND (confirmation_status <> 'sent' OR notification_status <> 'sent')",
                submission_ids,
            )[0][0]
            return pending_notes + pending_subs == 0

        delivered = wait_until(all_sent, self.args.delivery_timeout)
        delivery_seconds = time.monotonic() - back
        time.sleep(2)  # anything sent twice would arrive now

        messages = self.smtp.messages()
        expected = [
            (recipient, token)
            for recipient, body in self.query(
                "SELECT n.recipient, c.body FROM comments_notification n "
                "JOIN comments_comment c ON c.id = n.comment_id WHERE n.comment_id = ANY(%s)",
                comment_ids,
            )
            for token in re.findall(r"\[[^\]]+\]", body)
        ]
        counts = [
            sum(1 for m in messages if recipient in m["to"] and token in m["text"])
            for recipient, token in expected
        ]
        counts += [sum(1 for m in messages if m["to"] == [email]) for email in lead_emails]
        counts += [
            sum(1 for m in messages if COACHES in m["to"] and email in m["text"])
            for email in lead_emails
        ]
        outcome.figure(
            f"server back: {sum(1 for c in counts if c >= 1)}/{len(counts)} e-mails delivered "
            f"{delivery_seconds:.1f} s later ({len(expected)} about comments, {2 * n} about "
            f"requests); sent twice: {sum(1 for c in counts if c > 1)}, missing: "
            f"{sum(1 for c in counts if c == 0)}"
        )
        outcome.check(bool(delivered), f"not all delivered within {self.args.delivery_timeout} s")
        outcome.check(all(c == 1 for c in counts), "not every e-mail arrived exactly once")
        return outcome

    # Scenario b

    def redis_down(self) -> Outcome:
        outcome = Outcome("b. Redis stopped mid-run")
        slug = self.data["slug"]
        log_start = self.log_size()
        stop = threading.Event()
        down_window: list[float] = []
        reads: list[tuple[float, str, int, float]] = []
        posts: list[tuple[float, str, int, bool]] = []
        lead_emails: list[str] = []
        comment_tokens: list[str] = []
        paths = ["/", "/articles/", f"/articles/{slug}/", "/get-info/", "/healthz"]

        def reader() -> None:
            browser = Browser(self.base_url)
            number = 0
            while not stop.is_set():
                path = paths[number % len(paths)]
                response = browser.get(path)
                reads.append((time.monotonic(), path, response.status, response.seconds))
                number += 1
                time.sleep(0.02)

        def poster(worker: int) -> None:
            number = 0
            while not stop.is_set():
                browser = Browser(self.base_url)
                comment_form, lead_form = (
                    fetch_comment_form(browser, slug),
                    fetch_lead_form(browser),
                )
                if not (comment_form and lead_form):
                    posts.append((time.monotonic(), "form", 0, False))
                    time.sleep(0.5)
                    continue
                sleep_until_fillable([comment_form, lead_form])
                token = f"[{self.tag}-b-{worker}-{number}]"
                response, ok = self.post_comment(
                    browser,
                    comment_form,
                    body=f"Posted around a Redis outage {token}",
                    name="Redis Reader",
                    email=f"redis-{worker}-{number}@chaos.example",
                )
                posts.append((time.monotonic(), "comment", response.status, ok))
                if ok:
                    comment_tokens.append(token)
                email = f"{self.tag}-b-lead-{worker}-{number}@chaos.example"
                response, ok = self.post_lead(browser, lead_form, email=email, message=token)
                posts.append((time.monotonic(), "lead", response.status, ok))
                if ok:
                    lead_emails.append(email)
                number += 1

        threads = [threading.Thread(target=reader)] + [
            threading.Thread(target=poster, args=(worker,)) for worker in range(3)
        ]
        for thread in threads:
            thread.start()
        try:
            time.sleep(3)
            self.redis.stop()
            down_window.append(time.monotonic())
            outcome.figure(f"Redis stopped; kept down {self.args.redis_down:g} s under load")
            time.sleep(self.args.redis_down)
            self.redis.start()
            down_window.append(time.monotonic())
            back = time.monotonic()
            cache_ok = wait_until(
                lambda: Browser(self.base_url).get("/healthz").json().get("cache") == "ok", 15
            )
            outcome.figure(
                f"Redis started again; /healthz reports the cache ok "
                f"{time.monotonic() - back:.1f} s later"
            )
            time.sleep(4)
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)

        start, end = down_window
        before = [r[3] for r in reads if r[0] < start]
        during = [r for r in reads if start <= r[0] <= end]
        bad_reads = [r for r in reads if r[2] != 200]
        outcome.figure(
            f"page requests: {len(reads)} ({len(during)} while Redis was down), non-200: "
            f"{len(bad_reads)}, 5xx: {sum(1 for r in reads if r[2] >= 500)}; p50/max before "
            f"{percentile(before, 0.5) * 1000:.0f}/{max(before, default=0) * 1000:.0f} ms, "
            f"while down {percentile([r[3] for r in during], 0.5) * 1000:.0f}/"
            f"{max((r[3] for r in during), default=0) * 1000:.0f} ms"
        )
        posts_down = [p for p in posts if start <= p[0] <= end]
        refused = [p for p in posts if not p[3]]
        outcome.figure(
            f"form posts: {len(posts)} ({len(posts_down)} while down), refused: {len(refused)} "
            f"{sorted({(kind, status) for _, kind, status, _ in refused})}"
        )
        saved_comments = self.query(
            "SELECT COUNT(*) FROM comments_comment WHERE body LIKE %s", f"%[{self.tag}-b-%"
        )[0][0]
        saved_leads = self.query(
            "SELECT COUNT(*) FROM leads_submission WHERE email = ANY(%s)", lead_emails
        )[0][0]
        outcome.figure(
            f"saved: {saved_comments}/{len(comment_tokens)} comments, "
            f"{saved_leads}/{len(lead_emails)} requests"
        )
        log = self.log_text(log_start)
        unavailable = log.count("Cache unavailable")
        keys = redis.Redis(port=self.redis.port, socket_timeout=2).dbsize()
        outcome.figure(
            f"server log: {unavailable} 'Cache unavailable' (at most one a minute per gunicorn "
            f"worker that met the outage); Redis holds {keys} keys again"
        )
        outcome.check(not bad_reads, "a page did not answer 200")
        outcome.check(bool(during), "no page was requested while Redis was down")
        outcome.check(
            any(kind == "comment" and ok for _, kind, _, ok in posts_down)
            and any(kind == "lead" and ok for _, kind, _, ok in posts_down),
            "no comment and request were accepted while Redis was down",
        )
        outcome.check(not refused, "a form post was refused")
        outcome.check(saved_comments == len(comment_tokens), "an accepted comment was not saved")
        outcome.check(saved_leads == len(lead_emails), "an accepted request was not saved")
        outcome.check(unavailable >= 1, "the outage was not logged")
        outcome.check(bool(cache_ok), "/healthz never reported the cache ok again")
        outcome.check(keys > 0, "nothing was written to Redis after it came back")
        return outcome

    # Scenario c

    def database_down(self) -> Outcome:
        outcome = Outcome("c. PostgreSQL stopped")
        slug = self.data["slug"]
        article = f"/articles/{slug}/"
        browser = Browser(self.base_url)
        log_start = self.log_size()
        master_before, workers_before = self.server_pids()
        lead_form = fetch_lead_form(browser)
        if not outcome.check(browser.get(article).status == 200, "article not 200 before"):
            return outcome
        for path in ("/", "/articles/"):  # read once, so the shared cache holds them
            browser.get(path)
        sleep_until_fillable([lead_form])

        self.pg.stop("fast")
        stopped = time.monotonic()
        outcome.figure(
            f"PostgreSQL stopped (pg_ctl stop -m fast); probing for {self.args.pg_down:g} s"
        )
        pages, searches, health, posts = [], [], [], []
        while time.monotonic() - stopped < self.args.pg_down:
            for path in (article, "/", "/articles/"):
                pages.append(browser.get(path))
            searches.append(browser.get("/search/?q=career"))  # never cached: needs the database
            health.append(browser.get("/healthz"))
            posts.append(
                browser.post(
                    "/get-info/",
                    self.lead_fields(lead_form, email="nobody@chaos.example", message="lost?"),
                    headers={"Accept": "application/json"},
                )
            )
            time.sleep(0.2)

        def is_friendly(r) -> bool:
            return r.status == 503 and FRIENDLY_503 in r.body and "Retry-After" in r.headers

        # A page the cache holds is still served (a hit needs no database); any
        # other answer must be the friendly 503.
        served = [r for r in pages if r.status == 200]
        friendly = [r for r in pages + searches if is_friendly(r)]
        health_503 = [
            r for r in health if r.status == 503 and '"database": "unavailable"' in r.body
        ]
        posts_503 = [r for r in posts if r.status == 503 and "could not be saved" in r.body]
        statuses = sorted({r.status for r in pages + searches + health + posts})
        outcome.figure(
            f"pages: {len(served)}/{len(pages)} still served from the cache, the other "
            f"{len(pages) - len(served)} and {len(searches)} searches: {len(friendly)} friendly "
            "503 with Retry-After; /healthz: "
            f"{len(health_503)}/{len(health)} 503 JSON; request posts: {len(posts_503)}/"
            f"{len(posts)} 503 JSON 'could not be saved'; statuses seen {statuses}; slowest "
            f"{max(r.seconds for r in pages + health + posts) * 1000:.0f} ms"
        )
        outcome.check(
            len(served) + len(friendly) == len(pages) + len(searches),
            "a page was neither served from the cache nor the friendly 503",
        )
        outcome.check(
            len(searches) > 0 and all(is_friendly(r) for r in searches),
            "a search (it needs the database) was not the friendly 503",
        )
        outcome.check(len(health_503) == len(health), "/healthz was not a 503 JSON")
        outcome.check(len(posts_503) == len(posts), "a post during the outage was not a 503 JSON")

        self.pg.start()
        back = time.monotonic()
        recovered = wait_until(lambda: browser.get(article).status == 200, 30, interval=0.2)
        recovery = time.monotonic() - back
        healthz = browser.get("/healthz")
        master_after, workers_after = self.server_pids()
        outcome.figure(
            f"PostgreSQL started again: article 200 after {recovery:.1f} s, /healthz "
            f"{healthz.status} {healthz.body.strip()}; gunicorn master {master_before} -> "
            f"{master_after}, workers {workers_before} -> {workers_after}"
        )
        outcome.check(bool(recovered), "pages did not answer 200 again within 30 s")
        outcome.check(healthz.status == 200, "/healthz not 200 after recovery")
        outcome.check(
            master_before is not None and master_before == master_after, "gunicorn was restarted"
        )

        # The task worker lived through it: a request sent now gets its e-mails.
        lead_form = fetch_lead_form(browser)
        sleep_until_fillable([lead_form])
        email = f"{self.tag}-c-lead@chaos.example"
        _, accepted = self.post_lead(browser, lead_form, email=email, message=f"{self.tag} c")
        sent = time.monotonic()
        mailed = wait_until(
            lambda: (
                sum(1 for m in self.smtp.messages() if m["to"] == [email] or email in m["text"])
                >= 2
            ),
            30,
        )
        log = self.log_text(log_start)
        outcome.figure(
            f"request after recovery accepted: {accepted}; its 2 e-mails delivered by the task "
            f"worker in {time.monotonic() - sent:.1f} s; worker log: "
            f"{log.count('Task worker: database unavailable')} 'database unavailable' restarts"
        )
        outcome.check(accepted and bool(mailed), "the task worker did not send mail after recovery")
        nobody = self.query(
            "SELECT COUNT(*) FROM leads_submission WHERE email = %s", "nobody@chaos.example"
        )
        outcome.check(nobody[0][0] == 0, "a post answered 503 was saved after all")
        return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description="Fault scenarios against throwaway servers.")
    parser.add_argument("-n", type=int, default=10, help="comments and requests in scenario a")
    parser.add_argument(
        "--mail-down", type=float, default=6, help="seconds the mail server is down"
    )
    parser.add_argument("--redis-down", type=float, default=8, help="seconds Redis is down")
    parser.add_argument("--pg-down", type=float, default=5, help="seconds PostgreSQL is down")
    parser.add_argument("--delivery-timeout", type=float, default=60)
    parser.add_argument("--pg-port", type=int, default=5499)
    parser.add_argument("--redis-port", type=int, default=6399)
    parser.add_argument("--smtp-port", type=int, default=2599)
    parser.add_argument("--app-port", type=int, default=8770)
    parser.add_argument("--only", choices=["a", "b", "c"], action="append")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs")
    args = parser.parse_args()

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    started = time.monotonic()
    chaos: Chaos | None = None
    outcomes: list[Outcome] = []
    try:
        chaos = Chaos(args)
        chaos.setup()
        scenarios = {"a": chaos.mail_down, "b": chaos.redis_down, "c": chaos.database_down}
        for key, scenario in scenarios.items():
            if args.only and key not in args.only:
                continue
            print(f"\n{scenario.__name__.replace('_', ' ')} ...", flush=True)
            try:
                outcome = scenario()
            except Exception as error:
                outcome = Outcome(key, failures=[f"crashed: {error!r}"])
                print(f"    ! crashed: {error!r}", flush=True)
            outcomes.append(outcome)
            print(f"  {'PASS' if outcome.passed else 'FAIL'}  {outcome.name}", flush=True)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        outcomes.append(Outcome("interrupted", failures=["interrupted"]))
    except Exception as error:
        print(f"Setup failed: {error}", file=sys.stderr)
        outcomes.append(Outcome("setup", failures=[str(error)]))
    finally:
        if chaos is not None:
            if any(not outcome.passed for outcome in outcomes) and chaos.app_log.exists():
                print("\nLast lines of the server log:", file=sys.stderr)
                print("\n".join(chaos.log_text().splitlines()[-40:]), file=sys.stderr)
            chaos.teardown()
    failed = [outcome.name for outcome in outcomes if not outcome.passed]
    print(
        f"\n{len(outcomes) - len(failed)} passed, {len(failed)} failed "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 1 if failed or not outcomes else 0


if __name__ == "__main__":
    sys.exit(main())
