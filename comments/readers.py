"""What the site remembers about a reader between pages: their details (only when they asked) and
which comments this browser wrote (so that it alone sees them while they await moderation)."""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from .forms import CommentForm

AUTHOR_COOKIE = "comment_author"
AUTHOR_COOKIE_SALT = "comments.author-cookie"
AUTHOR_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
# The comments this browser wrote, signed, in a cookie of their own rather than in the session: a
# comment then costs no session row (a query and an insert on every first comment).
SUBMITTED_COOKIE = "comment_submitted"
SUBMITTED_COOKIE_SALT = "comments.submitted-cookie"
SUBMITTED_COOKIE_MAX_AGE = 30 * 24 * 60 * 60
SUBMITTED_REMEMBERED = 50


def _signed_cookie(request: HttpRequest, name: str, salt: str, max_age: int):
    """The value this site signed into a cookie, or None if absent, tampered with or too old."""
    try:
        return signing.loads(request.COOKIES.get(name, ""), salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None


def remembered_author(request: HttpRequest) -> dict:
    """Name, e-mail and website the reader asked this browser to keep, or nothing."""
    data = _signed_cookie(request, AUTHOR_COOKIE, AUTHOR_COOKIE_SALT, AUTHOR_COOKIE_MAX_AGE)
    if not isinstance(data, dict):
        return {}
    return {key: str(data.get(key, "")) for key in ("author_name", "author_email", "author_url")}


def submitted_comment_ids(request: HttpRequest) -> list[int]:
    """The comments this browser wrote (newest first), from its signed cookie."""
    data = _signed_cookie(
        request, SUBMITTED_COOKIE, SUBMITTED_COOKIE_SALT, SUBMITTED_COOKIE_MAX_AGE
    )
    if not isinstance(data, list):
        return []
    return [pk for pk in data if type(pk) is int]


def remember_submission(request: HttpRequest, response: HttpResponse, comment_id: int) -> None:
    """Let this browser alone see its comment while the comment awaits moderation."""
    submitted = [comment_id, *submitted_comment_ids(request)][:SUBMITTED_REMEMBERED]
    response.set_cookie(
        SUBMITTED_COOKIE,
        signing.dumps(submitted, salt=SUBMITTED_COOKIE_SALT),
        max_age=SUBMITTED_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def remember_author(response: HttpResponse, *, name: str, email: str, url: str) -> None:
    """Keep the details in a signed, HttpOnly cookie: the reader ticked "Save my name..."."""
    value = signing.dumps(
        {"author_name": name, "author_email": email, "author_url": url},
        salt=AUTHOR_COOKIE_SALT,
        compress=True,
    )
    response.set_cookie(
        AUTHOR_COOKIE,
        value,
        max_age=AUTHOR_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget_author(response: HttpResponse) -> None:
    response.delete_cookie(AUTHOR_COOKIE, samesite="Lax")


def blank_comment_form(request: HttpRequest | None, *, reply_to=None) -> CommentForm:
    """The "Leave a Reply" form as a reader first sees it: their saved details, if they asked."""
    initial = remembered_author(request) if request else {}
    if initial:
        initial["remember"] = True
    if reply_to is not None:
        initial["parent"] = reply_to.pk
    return CommentForm(initial=initial, user=getattr(request, "user", None))
