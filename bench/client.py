"""A small browser for the benchmark and the load test: one cookie jar, no redirects followed, and
the site's two forms (a comment, an information request) fetched and read the way a reader's
browser gets them, with their CSRF token and signed time trap.

Standard library only (urllib, html.parser), so it runs wherever the site does.
"""

import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser

CSRF_COOKIE = "csrftoken"
TEXT_INPUTS = {"", "text", "hidden", "email", "url", "tel", "number", "search", "password"}
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) careers-site-bench"
# The time traps refuse forms sent back within 3 s of being shown (COMMENTS_MIN_SECONDS_TO_SUBMIT,
# LEADS_MIN_FILL_SECONDS): a form is sent back a little later than that.
TIME_TRAP_SECONDS = 3.5


@dataclass
class Form:
    """The fields a browser would send (name to value) and the choices of each select."""

    fields: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)

    def first_choice(self, name: str) -> str:
        """The first non-empty option of a select (a program, a country...)."""
        return next((value for value in self.options.get(name, []) if value), "")


class FormParser(HTMLParser):
    """Reads the fields of one `<form id=...>` in a page, or of every field in a fragment."""

    def __init__(self, form_id: str | None = None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = form_id is None
        self.found = form_id is None
        self.form = Form()
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and self.form_id is not None and attributes.get("id") == self.form_id:
            self.inside = self.found = True
        if not self.inside:
            return
        name = attributes.get("name", "")
        if tag == "input" and name:
            kind = attributes.get("type", "").lower()
            if kind in TEXT_INPUTS:
                self.form.fields[name] = attributes.get("value", "")
            elif kind in ("checkbox", "radio") and "checked" in attributes:
                self.form.fields[name] = attributes.get("value") or "on"
        elif tag == "textarea" and name:
            self._textarea = name
            self.form.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.form.options[name] = []
            self.form.fields.setdefault(name, "")
        elif tag == "option" and self._select:
            value = attributes.get("value")
            if value is not None:
                self.form.options[self._select].append(value)
                if "selected" in attributes:
                    self.form.fields[self._select] = value

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.form_id is not None and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea:
            # A textarea's first newline belongs to the markup, not to its value.
            value = self.form.fields[self._textarea]
            self.form.fields[self._textarea] = value[1:] if value.startswith("\n") else value
            self._textarea = None
        elif tag == "select":
            self._select = None


def parse_form(html: str, form_id: str | None = None) -> Form:
    """The fields of `<form id=form_id>` in `html`, or of the whole fragment without an id."""
    parser = FormParser(form_id)
    parser.feed(html)
    parser.close()
    if not parser.found:
        raise LookupError(f"no <form id={form_id!r}> in the page")
    return parser.form


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer we want to see


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> dict:
        return json.loads(self.body)


class Browser:
    """One reader: one cookie jar, same-origin Referer and Origin on every POST."""

    def __init__(self, base_url: str, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        """GET, or POST `data` form-encoded. Any status comes back as a Response; a connection
        that fails raises OSError."""
        headers = {"User-Agent": USER_AGENT, **(headers or {})}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            headers.setdefault("Origin", self.base_url)
            headers.setdefault("Referer", self.base_url + path)
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=self.timeout) as reply:
                return Response(reply.status, dict(reply.headers.items()), reply.read())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, dict(error.headers.items()), error.read())

    def cookie(self, name: str) -> str:
        return next((cookie.value for cookie in self.cookies if cookie.name == name), "")

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)

    def comment_form(self, article_path: str) -> Form:
        """The "Leave a Reply" form of an article: from `<article>/comments/form/` (the form
        alone) where the site serves it, else from `#commentform` in the article page."""
        fragment = self.request(f"{article_path.rstrip('/')}/comments/form/")
        if fragment.status == 200:
            form = parse_form(fragment.text)
        else:
            page = self.request(article_path)
            if page.status != 200:
                raise RuntimeError(f"GET {article_path} answered {page.status}")
            form = parse_form(page.text, "commentform")
        return self._checked(form, article_path)

    def lead_form(self) -> Form:
        """The information request form, as the modal fetches it."""
        fragment = self.request("/get-info/form/")
        if fragment.status != 200:
            raise RuntimeError(f"GET /get-info/form/ answered {fragment.status}")
        return self._checked(parse_form(fragment.text), "/get-info/form/")

    def _checked(self, form: Form, path: str) -> Form:
        if "csrfmiddlewaretoken" not in form.fields or not self.cookie(CSRF_COOKIE):
            raise RuntimeError(f"{path}: no CSRF token and cookie to post the form with")
        return form
