"""Property-based tests: random, huge, empty and malformed values in every field of the
information-request form (page and modal) and in its query parameters never give a 500, never come
back unescaped, and never leave a request half-saved."""

import json
import re
import time
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlencode

import pytest
from django.core import signing
from hypothesis import event, given
from hypothesis import strategies as st

from articles.visitors import seconds_since_shown
from leads.attribution import UTM_KEYS, clean_value, local_path
from leads.forms import TIME_TRAP_SALT, started_token
from leads.models import ConsentRecord, Lead, LeadStatusChange, Submission
from tests.articles.factories import ArticleFactory
from tests.strategies import (
    MARKER,
    as_received,
    extra_fields,
    form_body,
    fuzz_settings,
    hostile,
    last_value,
    odd_text,
    utf8_text,
)

from .factories import LeadFactory, ProgramFactory

pytestmark = pytest.mark.django_db

GET_INFO = "/get-info/"
FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "program",
    "career_stage",
    "country",
    "message",
    "consent",
    "consent_version",
    "page",
    "article",
    "started",
    "website",
]
# A few people, so that examples often send a second request by someone already known.
PEOPLE = ["grace@example.com", " Grace@EXAMPLE.com ", "alan@example.org", "ALAN@example.org"]


@dataclass(frozen=True)
class Existing:
    """A reference to a row of the `catalogue` fixture or a token, resolved in the test."""

    name: str


VALID_TOKEN = Existing("valid started token")

marked = st.builds(lambda a, b: a + MARKER + b, utf8_text, utf8_text)
valid_values = {
    "first_name": marked | st.just("Grace"),
    "last_name": marked | st.just("Hopper"),
    "email": st.sampled_from(PEOPLE) | st.emails(),
    "phone": st.sampled_from(
        [
            "",
            "+44 20 7946 0958",
            "+４４ ２０ ７９４６ ０９５８",  # full-width digits
            "+٤٤ ٢٠ ٧٩٤٦ ٠٩٥٨",  # Arabic-Indic digits
            "020 7946 0958",  # read in the chosen country, when it is GB
            "+1 (202) 456-1111",
        ]
    ),
    "program": st.sampled_from([Existing("program"), Existing("other program")]),
    "career_stage": st.sampled_from(["", "student", "changer"]),
    "country": st.sampled_from(["", "GB", "US", "IN"]),
    "message": marked | st.just(""),
    "consent": st.sampled_from(["on", "true", "1"]),
    "consent_version": st.sampled_from([None, "", "1"]),
    "page": st.sampled_from(["", "/articles/some-article/", f"/search/?q={MARKER}"]),
    "article": st.sampled_from(["", Existing("article")]),
    "started": st.just(VALID_TOKEN),
    "website": st.just(""),
}
hostile_values = {
    "phone": hostile(
        st.sampled_from(
            [
                "٠٢٠ ٧٩٤٦ ٠٩٥٨",
                "+𝟒𝟒 𝟐𝟎 𝟕𝟗𝟒𝟔 𝟎𝟗𝟓𝟖",  # mathematical bold digits
                "+44 20 7946 0958 ext. 1234",
                "tel:+44-20-7946-0958",
                "+" + "9" * 40,
                "+44\x0020 7946 0958",
                "+44 20 7946 0958\u202e",
            ]
        )
    ),
    "program": hostile(
        st.sampled_from([Existing("inactive program"), "0", "-1", "9" * 30, "1.5", "1\x00"])
    ),
    "career_stage": hostile(st.sampled_from(["STUDENT", "closed", "student\x00"])),
    "country": hostile(st.sampled_from(["gb", "XX", "GBR", "GB\x00", "ＧＢ"])),
    "consent": hostile(st.sampled_from(["false", "0", "off"])),
    "consent_version": hostile(st.sampled_from(["99", "0", "-1", "9" * 30, "1.0", "1\x00"])),
    "page": hostile(
        st.sampled_from(["//evil.example/", "https://evil.example/", "/\\evil", "/ok\x00"])
    ),
    "article": hostile(st.sampled_from([Existing("draft"), "no-such-article", "x" * 201])),
    "started": hostile(
        st.sampled_from([Existing("just started"), Existing("comments salt"), VALID_TOKEN])
    ),
}
headers = st.fixed_dictionaries(
    {
        "utm": st.fixed_dictionaries({key: st.none() | odd_text | marked for key in UTM_KEYS}),
        "referrer": st.one_of(
            st.none(),
            odd_text,
            st.sampled_from(
                [
                    "https://news.example/<b>x</b>",
                    "http://[",
                    "http://[::1",
                    "https://testserver/articles/x/?q=<b>x</b>",
                    "http://testserver\\@evil.example/",
                ]
            ),
        ),
    }
)


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.LEADS_RATE_LIMIT = 10**9


@pytest.fixture
def catalogue():
    """Two programs to choose from, one retired, two articles, and Alan, already enrolled."""
    program = ProgramFactory(name="Machine Learning Engineering")
    alan = LeadFactory(email="alan@example.org", program=program, status=Lead.Status.ENROLLED)
    return {
        "program": program,
        "other program": ProgramFactory(),
        "inactive program": ProgramFactory(is_active=False),
        "article": ArticleFactory(),
        "draft": ArticleFactory(draft=True),
        "alan": alan,
    }


def resolve(value, catalogue):
    if isinstance(value, list):
        return [resolve(item, catalogue) for item in value]
    if not isinstance(value, Existing):
        return value
    tokens = {
        "valid started token": lambda: started_token(time.time() - 30),
        "just started": lambda: started_token(time.time()),
        "comments salt": lambda: signing.dumps(time.time() - 30, salt="comments.form-shown-at"),
    }
    if value.name in tokens:
        return tokens[value.name]()
    row = catalogue[value.name]
    return row.slug if value.name in ("article", "draft") else str(row.pk)


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Lead, Submission, ConsentRecord, LeadStatusChange)
    }


def as_header(value: str) -> str:
    """A header as a WSGI server hands it to Django: the raw bytes read as ISO-8859-1."""
    return value.encode("utf-8", "surrogatepass").decode("iso-8859-1")


def visit(client, utm: dict, referrer: str | None):
    """A fresh visitor lands on the form's page from a campaign link, the way attribution starts."""
    client.cookies.clear()
    query = urlencode({k: v for k, v in utm.items() if v is not None}, errors="surrogatepass")
    extra = {} if referrer is None else {"HTTP_REFERER": as_header(referrer)}
    return client.get(f"{GET_INFO}?{query}", **extra)


def hidden_value(html: str, name: str) -> str:
    """The value of the form's hidden input `name` ("" when it has none)."""
    tag = re.search(rf'<input type="hidden" name="{name}"[^>]*>', html).group()
    value = re.search(r'value="([^"]*)"', tag)
    return unescape(value.group(1)) if value else ""


def assert_escaped(response) -> None:
    assert MARKER.encode() not in response.content
    if response.get("Content-Type", "").startswith("application/json"):
        assert MARKER not in json.dumps(response.json(), ensure_ascii=False)


@fuzz_settings
@given(data=st.data(), as_json=st.booleans(), encoding=st.sampled_from(["urlencoded", "multipart"]))
def test_lead_form_never_fails_escapes_everything_and_saves_all_or_nothing(
    client, catalogue, data, as_json, encoding
):
    visitor = data.draw(headers, label="visit")
    landing = visit(client, visitor["utm"], visitor["referrer"])
    assert landing.status_code == 200
    assert_escaped(landing)

    tampered = data.draw(st.sets(st.sampled_from(FIELDS), max_size=4), label="tampered")
    posted = {
        field: data.draw(
            hostile_values.get(field, hostile()) if field in tampered else valid_values[field],
            label=field,
        )
        for field in FIELDS
    }
    extras = data.draw(extra_fields, label="extras")
    posted.update({k: v for k, v in extras.items() if as_received(k) not in FIELDS})
    posted = {key: resolve(value, catalogue) for key, value in posted.items()}
    received = {field: last_value(posted, field) for field in FIELDS}
    email = (received["email"] or "").strip().lower()
    # PostgreSQL refuses NUL in a query too; such an address is refused by the form anyway.
    known = Lead.objects.filter(email=email).first() if "\x00" not in email else None
    before = row_counts()

    body, content_type = form_body(posted, encoding)
    response = client.post(
        GET_INFO,
        body,
        content_type=content_type,
        headers={"Accept": "application/json"} if as_json else {},
    )

    event(f"answered {response.status_code}{' (JSON)' if as_json else ''}")
    assert_escaped(response)
    if as_json:
        assert response.status_code in {200, 400}
        succeeded = response.json()["ok"]
        assert succeeded == (response.status_code == 200)
    else:
        assert response.status_code in {200, 302, 400}
        if response.status_code == 400:
            # A body Django's parser refuses (e.g. a lone surrogate in a multipart field name):
            # the request never reaches the form, and nothing is kept.
            assert row_counts() == before
            return
        succeeded = response.status_code == 302
        if succeeded:
            assert response["Location"] == "/get-info/thanks/"
            assert_escaped(client.get(response["Location"]))
    if not succeeded:
        assert b"is-invalid" in response.content or b"alert-danger" in response.content
        assert row_counts() == before
        return

    seconds = seconds_since_shown(received["started"] or "", TIME_TRAP_SALT)
    if received["website"] or seconds is None or seconds < 3:
        event("answered a bot like a person")
        assert row_counts() == before  # bots are thanked, and nothing is kept
        return

    # One request: one submission and its consent, on a new lead or merged into the known one.
    event("merged" if known else "new lead")
    after = row_counts()
    assert after == {
        "Lead": before["Lead"] + (0 if known else 1),
        "Submission": before["Submission"] + 1,
        "ConsentRecord": before["ConsentRecord"] + 1,
        "LeadStatusChange": before["LeadStatusChange"] + int(bool(known and known.is_closed)),
    }
    submission = Submission.objects.select_related("lead", "consent").latest("pk")
    lead = submission.lead
    assert lead.email == email
    assert known is None or lead.pk == known.pk
    if known is None:
        assert lead.status == Lead.Status.NEW
    else:
        assert lead.status == (Lead.Status.RETURNING if known.is_closed else known.status)
    assert submission.consent.kind == ConsentRecord.Kind.GIVEN
    assert submission.consent.wording.startswith("I agree that an enrollment coach")
    assert submission.email == received["email"].strip()
    for name in ("first_name", "last_name"):
        assert getattr(submission, name) == " ".join(received[name].split())
        assert getattr(lead, name) == getattr(submission, name)
    assert submission.message == (received["message"] or "").strip()
    assert submission.phone == "" or submission.phone.startswith("+")
    for name in ("phone", "country", "career_stage"):  # a field left out keeps what we had
        kept = getattr(known, name) if known else ""
        assert getattr(lead, name) == (getattr(submission, name) or kept)
    assert submission.page == local_path(received["page"] or "")
    assert submission.article == (
        catalogue["article"] if received["article"] == catalogue["article"].slug else None
    )
    for key, value in visitor["utm"].items():
        if value is not None and clean_value(as_received(value)):
            assert getattr(submission, f"last_{key}") == clean_value(as_received(value))


@pytest.mark.parametrize(
    "field", ["first_name", "last_name", "email", "phone", "message", "page", "article", "started"]
)
def test_nul_byte_in_any_text_field_is_a_form_error_not_a_500(client, catalogue, field):
    """PostgreSQL refuses NUL in text: the form must stop it before the database sees it."""
    posted = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.com",
        "program": str(catalogue["program"].pk),
        "consent": "on",
        "started": started_token(time.time() - 30),
    }
    posted[field] = posted.get(field, "x") + "\x00"

    response = client.post(GET_INFO, posted)

    html = response.content.decode()
    assert response.status_code == 200
    if field in ("page", "article", "started"):  # hidden: only a tampered post sends NUL there
        assert "This form was changed or is out of date" in html
    else:
        assert "Please correct the field marked below." in html
        assert "Null characters are not allowed." in html
    assert not Submission.objects.exists()


@fuzz_settings
@given(emails=st.lists(st.sampled_from(PEOPLE[:2]) | st.emails(), min_size=2, max_size=4))
def test_requests_from_one_address_merge_into_one_lead(client, catalogue, emails):
    """However the address is typed, one person is one lead with one submission per request."""
    Lead.objects.all().delete()
    for email in emails:
        posted = {
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": email,
            "program": str(catalogue["program"].pk),
            "consent": "on",
            "started": started_token(time.time() - 30),
        }
        response = client.post(GET_INFO, posted, headers={"Accept": "application/json"})
        assert response.status_code == 200

    people = {email.strip().lower() for email in emails}
    assert Lead.objects.count() == len(people)
    assert Submission.objects.count() == ConsentRecord.objects.count() == len(emails)
    for person in people:
        assert Lead.objects.get(email=person).submissions.count() == sum(
            email.strip().lower() == person for email in emails
        )


@fuzz_settings
@given(data=st.data(), as_json=st.booleans())
def test_rate_limited_form_refuses_anything_and_saves_nothing(
    client, settings, catalogue, data, as_json
):
    settings.LEADS_RATE_LIMIT = 0
    posted = {field: resolve(data.draw(hostile(), label=field), catalogue) for field in FIELDS}
    before = row_counts()

    body, content_type = form_body(posted, "urlencoded")
    response = client.post(
        GET_INFO,
        body,
        content_type=content_type,
        headers={"Accept": "application/json"} if as_json else {},
    )

    assert response.status_code == 429
    assert_escaped(response)
    assert row_counts() == before


@fuzz_settings
@given(
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/json",
        ]
    ),
    as_json=st.booleans(),
)
def test_malformed_request_bodies_are_refused_without_a_500(
    client, catalogue, body, content_type, as_json
):
    before = row_counts()

    response = client.generic(
        "POST",
        GET_INFO,
        body,
        content_type=content_type,
        headers={"Accept": "application/json"} if as_json else {},
    )

    assert response.status_code in {200, 400}
    assert_escaped(response)
    assert row_counts() == before


@fuzz_settings
@given(
    article=st.one_of(odd_text, st.sampled_from([Existing("article"), Existing("draft")])),
    page=st.one_of(odd_text, st.sampled_from(["/articles/x/", "//evil.example/", "/a\\b"])),
    visitor=headers,
    extra=odd_text,
)
@pytest.mark.parametrize("path", [GET_INFO, "/get-info/form/"])
def test_form_pages_never_fail_on_odd_parameters(
    client, catalogue, path, article, page, visitor, extra
):
    article = resolve(article, catalogue)
    query = {extra[:50]: extra + MARKER, "article": article, "page": page, **visitor["utm"]}
    query = urlencode({k: v for k, v in query.items() if v is not None}, errors="surrogatepass")
    referrer = (
        {} if visitor["referrer"] is None else {"HTTP_REFERER": as_header(visitor["referrer"])}
    )

    response = client.get(f"{path}?{query}", **referrer)

    assert response.status_code == 200
    assert_escaped(response)
    html = response.content.decode()
    live = catalogue["article"].slug
    assert hidden_value(html, "article") == (live if as_received(article) == live else "")
    page_value = hidden_value(html, "page")
    assert page_value == "" or (page_value.startswith("/") and not page_value.startswith("//"))


@pytest.mark.parametrize("referrer", ["http://[", "https://[::1/articles/x/", "http://]"])
def test_malformed_referrer_is_ignored_not_a_500(client, catalogue, referrer):
    """urlsplit() raises ValueError on an unmatched IPv6 bracket: /get-info/ answered 500 to any
    visitor whose browser (or a bot) sent such a Referer, on the page and on every post."""
    page = client.get(GET_INFO, HTTP_REFERER=referrer)
    invalid = client.post(GET_INFO, {"first_name": "Grace"}, HTTP_REFERER=referrer)

    assert page.status_code == 200
    assert 'name="page" value="/get-info/"' in page.content.decode()
    assert invalid.status_code == 200
    assert "This field is required." in invalid.content.decode()


@pytest.mark.parametrize(
    ("method", "path"), [("get", GET_INFO), ("post", GET_INFO), ("get", "/get-info/form/")]
)
def test_nul_byte_in_the_article_parameter_names_no_article_not_a_500(
    client, catalogue, method, path
):
    """The article was looked up by any ?article= value, and PostgreSQL refuses NUL in text:
    /get-info/?article=%00 answered 500 there (on the page, the modal's form and every post)."""
    data = {"article": "\x00"} if method == "post" else None
    response = getattr(client, method)(f"{path}?article=%00", data)

    assert response.status_code == 200
    if method == "get":
        assert 'name="article" value=' not in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/articles/", GET_INFO])
def test_page_number_too_long_for_int_is_not_a_500(client, catalogue, path):
    """The canonical link read ?page= with int(), which refuses more than 4,300 digits: every
    page of the site answered 500 to ?page=000...0 (5,000 zeros)."""
    response = client.get(path, {"page": "0" * 5000})

    assert response.status_code in {200, 404}
    assert b'<link rel="canonical" href="https://careers.example' in response.content
    assert b"?page=" not in response.content.split(b'rel="canonical"')[1].split(b">")[0]
