"""Hypothesis strategies for hostile form values, and the encodings a browser or a bot posts.

Values may hold lone surrogates, which no browser sends but a broken client can: they are encoded
as the bytes a careless encoder writes (``surrogatepass``), and the server must cope with those.
FUZZ_EXAMPLES=500 in the environment makes a longer hunt than the suite's few dozen examples.
"""

import os
import secrets
from urllib.parse import urlencode

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

MARKER = "<b>x</b>"

fuzz_settings = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

TRICKY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200f\u200e\u2066",
    "\ufeff",
    "\r\n",
    "\t\n ",
    "' OR 1=1 --",
    '"',
    "&amp;",
    "&lt;b&gt;",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "{{ request }} {% now 'Y' %}",
    "%s%n%x",
    "\\",
    "//evil.example/",
    "https://example.org/<b>x</b>",
    "www.example.org/?a=<b>x</b>",
    "١٢٣٤٥",
    "１２３",
    "🙂👩🏽‍💻",
    "\ud800",
    "a\udfffb",
    "None",
    "0",
    "-1",
    "9" * 30,
    "1e5",
    "true",
    "false",
    "on",
]

# Printable or not, any code point UTF-8 can carry; plus lone surrogates, which it cannot.
any_character = st.characters(codec="utf-8") | st.characters(categories=["Cs"])
utf8_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
short_text = st.text(alphabet=any_character, max_size=200)
huge_text = st.builds(
    lambda unit, size: (unit * (size // len(unit) + 1))[:size],
    st.text(alphabet=any_character, min_size=1, max_size=3),
    st.sampled_from([5_001, 100_000]),
)
odd_text = st.one_of(st.sampled_from(TRICKY), short_text, huge_text)
marked_text = st.builds(
    lambda before, after: before + MARKER + after,
    st.sampled_from(TRICKY) | utf8_text,
    st.sampled_from(TRICKY) | utf8_text,
)


def hostile(*specific) -> st.SearchStrategy:
    """A field's hostile value: missing (None), odd, marked, or repeated (a list)."""
    single = st.one_of(odd_text, marked_text, *specific)
    return st.one_of(st.none(), single, st.lists(single, min_size=2, max_size=3))


extra_fields = st.dictionaries(
    keys=st.text(alphabet=any_character, min_size=1, max_size=30),
    values=st.one_of(odd_text, marked_text),
    max_size=3,
)


def as_received(value: str) -> str:
    """The text the server reads back from what a client sent (broken UTF-8 becomes U+FFFD)."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def last_value(data: dict, key: str) -> str | None:
    """What `request.POST.get(key)` returns: the last of repeated values, as received."""
    value = data.get(key)
    if isinstance(value, list):
        value = value[-1] if value else None
    return None if value is None else as_received(value)


def _pairs(data: dict) -> list[tuple[str, str]]:
    pairs = []
    for key, value in data.items():
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return pairs


def form_body(data: dict, encoding: str) -> tuple[bytes, str]:
    """The body and content type of a form post, as `application/x-www-form-urlencoded` (what
    a browser sends for a plain form) or `multipart/form-data`. None values are left out."""
    pairs = _pairs(data)
    if encoding == "urlencoded":
        body = urlencode(pairs, encoding="utf-8", errors="surrogatepass")
        return body.encode(), "application/x-www-form-urlencoded"
    boundary = secrets.token_hex(16)
    lines = []
    for key, value in pairs:
        # A part's header carries its name as browsers write it: quotes and line breaks escaped,
        # lone surrogates replaced (Django answers 400 to a header that is not UTF-8).
        name = as_received(key).replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        lines += [f"--{boundary}", f'Content-Disposition: form-data; name="{name}"', "", value]
    lines += [f"--{boundary}--", ""]
    body = "\r\n".join(lines).encode("utf-8", "surrogatepass")
    return body, f"multipart/form-data; boundary={boundary}"
