"""A reader's browser in a few lines of standard library: cookies, CSRF token, forms from HTML."""

import http.cookiejar
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) careers-site-chaos/1.0"


@dataclass
class Response:
    status: int
    headers: dict
    body: str
    seconds: float

    def json(self):
        return json.loads(self.body)


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    selects: dict[str, list[str]] = field(default_factory=dict)
    form_id: str = ""


class FormParser(HTMLParser):
    """Every <form> of a page with its fields, and the fields outside any form (a fragment)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.loose = Form(action="")
        self.current: Form | None = None
        self.textarea: str | None = None
        self.select: str | None = None

    @property
    def target(self) -> Form:
        return self.current or self.loose

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = Form(action=attrs.get("action") or "", form_id=attrs.get("id") or "")
            self.forms.append(self.current)
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "image", "file"):
                self.target.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = attrs["name"]
            self.target.fields[self.textarea] = ""
        elif tag == "select" and attrs.get("name"):
            self.select = attrs["name"]
            self.target.selects[self.select] = []
            self.target.fields.setdefault(self.select, "")
        elif tag == "option" and self.select:
            value = attrs.get("value") or ""
            self.target.selects[self.select].append(value)
            if "selected" in attrs:
                self.target.fields[self.select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.target.fields[self.textarea] += data


def parse_forms(html: str) -> tuple[list[Form], Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms, parser.loose


class Browser:
    """One visitor: its own cookies; requests never follow redirects (a 302 is an answer)."""

    def __init__(self, base_url: str, timeout: float = 10):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def request(
        self, method: str, path: str, data: dict | None = None, headers: dict | None = None
    ) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, method=method)
        request.add_header("User-Agent", USER_AGENT)
        if method == "POST":
            request.add_header("Origin", self.base_url)
            request.add_header("Referer", self.base_url + path)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=self.timeout) as reply:
                status, reply_headers, content = reply.status, dict(reply.headers), reply.read()
        except urllib.error.HTTPError as error:
            status, reply_headers, content = error.code, dict(error.headers), error.read()
        except (urllib.error.URLError, OSError) as error:  # refused, reset, timed out
            return Response(0, {}, repr(error), time.monotonic() - started)
        return Response(
            status, reply_headers, content.decode("utf-8", "replace"), time.monotonic() - started
        )

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict, headers: dict | None = None) -> Response:
        return self.request("POST", path, data=data, headers=headers)


@dataclass
class ShownForm:
    """A form fetched and ready to send: where to post it, its fields, when it was shown."""

    action: str
    fields: dict
    selects: dict
    shown_at: float


def fetch_comment_form(browser: Browser, slug: str) -> ShownForm | None:
    """The comment form: the fragment URL first, else the `#commentform` of the article page."""
    create_url = f"/articles/{slug}/comments/"
    response = browser.get(f"/articles/{slug}/comments/form/")
    if response.status == 200:
        forms, loose = parse_forms(response.body)
        form = next((f for f in forms if f.form_id == "commentform"), forms[0] if forms else loose)
        if "csrfmiddlewaretoken" in form.fields and "body" in form.fields:
            return ShownForm(form.action or create_url, form.fields, form.selects, time.time())
    response = browser.get(f"/articles/{slug}/")
    if response.status != 200:
        return None
    forms, _ = parse_forms(response.body)
    form = next((f for f in forms if f.form_id == "commentform"), None)
    if form is None:
        return None
    action = urllib.parse.urlsplit(form.action).path or create_url
    return ShownForm(action, form.fields, form.selects, time.time())


def fetch_lead_form(browser: Browser) -> ShownForm | None:
    """The information-request form as the dialog loads it (a fragment with its CSRF token)."""
    response = browser.get("/get-info/form/")
    if response.status != 200:
        return None
    _, loose = parse_forms(response.body)
    if "csrfmiddlewaretoken" not in loose.fields:
        return None
    return ShownForm("/get-info/", loose.fields, loose.selects, time.time())
