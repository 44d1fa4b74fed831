"""Where a visit came from: UTM parameters (first and last seen) and the landing referrer.

Pure helpers: they read a query string, a referrer and a stored state, and return the new state.
The middleware keeps the state in a signed browser-session cookie, only when there is something to
remember, so that ordinary page views set no cookie.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from articles.visitors import keyed_hash

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_VALUE_LENGTH = 200
MAX_URL_LENGTH = 500


def clean_value(value: str, limit: int = MAX_VALUE_LENGTH) -> str:
    """Printable, trimmed and cut to `limit`; trimmed again after the cut, so that cleaning a
    clean value changes nothing (a value cut at a space is stored as it is kept)."""
    return "".join(ch for ch in str(value) if ch.isprintable()).strip()[:limit].rstrip()


def utm_from_query(query) -> dict[str, str]:
    """The UTM parameters present in a query dict, cleaned and cut to length."""
    found = {key: clean_value(query.get(key, "")) for key in UTM_KEYS}
    return {key: value for key, value in found.items() if value}


def is_external(referrer: str, host: str) -> bool:
    try:
        netloc = urlsplit(referrer).netloc.lower()
    except ValueError:
        return False
    return bool(netloc) and netloc != host.lower()


def local_path(value: str) -> str:
    """A same-site path (never another origin), or "" when the value is not one."""
    value = clean_value(value, MAX_URL_LENGTH)
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    return value


@dataclass
class Attribution:
    first: dict[str, str] = field(default_factory=dict)
    last: dict[str, str] = field(default_factory=dict)
    referrer: str = ""
    landing_page: str = ""

    @classmethod
    def from_dict(cls, data: object) -> "Attribution":
        if not isinstance(data, dict):
            return cls()

        def touch(value: object) -> dict[str, str]:
            if not isinstance(value, dict):
                return {}
            return {k: clean_value(v) for k, v in value.items() if k in UTM_KEYS and v}

        return cls(
            first=touch(data.get("first")),
            last=touch(data.get("last")),
            referrer=clean_value(data.get("referrer", ""), MAX_URL_LENGTH),
            landing_page=local_path(data.get("landing_page", "")),
        )

    def as_dict(self) -> dict:
        return {
            "first": self.first,
            "last": self.last,
            "referrer": self.referrer,
            "landing_page": self.landing_page,
        }

    def is_empty(self) -> bool:
        return not (self.first or self.last or self.referrer or self.landing_page)

    def submission_fields(self) -> dict[str, str]:
        fields = {key: self.first.get(key, "") for key in UTM_KEYS}
        fields |= {f"last_{key}": self.last.get(key, "") for key in UTM_KEYS}
        fields["landing_referrer"] = self.referrer
        fields["landing_page"] = self.landing_page
        return fields


def attribution_update(
    current: Attribution, *, query, referrer: str, path: str, host: str
) -> Attribution | None:
    """The state after this page view, or None when nothing new is worth remembering.

    The first landing of a visit keeps its page and external referrer; UTM parameters, wherever they
    appear, become the last touch, and the first touch when there was none.
    """
    utm = utm_from_query(query)
    external_referrer = clean_value(referrer, MAX_URL_LENGTH) if is_external(referrer, host) else ""
    is_landing = current.is_empty()
    if not utm and not (is_landing and external_referrer):
        return None
    updated = Attribution(**current.as_dict())
    if is_landing:
        updated.landing_page = local_path(path)
        updated.referrer = external_referrer
    if utm:
        updated.last = utm
        if not updated.first:
            updated.first = utm
    return updated


def client_hash(address: str) -> str:
    """A keyed, non-reversible hash of the client address: rate limit and consent, never the IP."""
    return keyed_hash("leads-client", address)
