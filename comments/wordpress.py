"""A WordPress post's comments brought across with their thread, writer, date and status: held
ones stay held, spam and trash are not published. The IP address WordPress kept is dropped: the
site keeps only a keyed hash, and only for 30 days, which an old comment is past."""

import hashlib
import json
from dataclasses import asdict
from html import unescape

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.html import strip_tags

from articles.models import Article, ImportedItem
from articles.wordpress.importer import wordpress_datetime
from articles.wordpress.report import ImportReport, error_reason
from articles.wordpress.wxr import Comment as WordPressComment

from .models import Comment

STATUSES = {
    "1": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
KIND = ImportedItem.Kind.COMMENT


def _fingerprint(comment: WordPressComment) -> str:
    return hashlib.sha256(json.dumps(asdict(comment), sort_keys=True).encode()).hexdigest()


def _valid(value: str, validator) -> str:
    try:
        validator(value)
    except ValidationError:
        return ""
    return value


def _parents_first(comments: list[WordPressComment]) -> list[WordPressComment]:
    ids = {comment.wp_id for comment in comments}
    placed: set[str] = set()
    ordered: list[WordPressComment] = []
    waiting = list(comments)
    while waiting:
        ready = [
            c
            for c in waiting
            if c.parent_id in ("", "0") or c.parent_id not in ids or c.parent_id in placed
        ]
        if not ready:  # a loop of parents: what is left goes to the top level
            ready = waiting
        ordered.extend(ready)
        placed.update(c.wp_id for c in ready)
        waiting = [c for c in waiting if c.wp_id not in placed]
    return ordered


def wordpress_comments_import(
    *, article: Article, comments: list[WordPressComment], report: ImportReport
) -> None:
    """Each comment saved through the ORM (its HTML made, the article's threads joined again by
    the receivers); matched by its WordPress id, so importing again doubles none."""
    made: dict[str, Comment] = {}
    for wp_comment in _parents_first(comments):
        if wp_comment.type in ("pingback", "trackback"):
            report.count("comment", "skipped")
            continue
        try:
            with transaction.atomic():
                made[wp_comment.wp_id] = _comment_saved(article, wp_comment, made, report)
        except Exception as error:  # reported and skipped: the rest goes on
            report.skip("comment", wp_comment.wp_id, wp_comment.author, error_reason(error))


def _comment_saved(
    article: Article, wp_comment: WordPressComment, made: dict, report: ImportReport
) -> Comment:
    imported = ImportedItem.objects.filter(kind=KIND, wordpress_id=wp_comment.wp_id).first()
    comment = Comment.objects.filter(pk=imported.object_id).first() if imported else None
    if comment is not None and imported.fingerprint == _fingerprint(wp_comment):
        report.count("comment", "unchanged")
        return comment
    parent = made.get(wp_comment.parent_id)
    if wp_comment.parent_id not in ("", "0") and parent is None:
        report.note(
            "comment", wp_comment.wp_id, wp_comment.author, "its parent is missing: top level"
        )
    status = STATUSES.get(wp_comment.approved)
    if status is None:
        raise ValidationError(f"unknown status {wp_comment.approved!r}")
    values = {
        "article": article,
        "parent": parent,
        "depth": parent.depth + 1 if parent else 1,
        "author_name": (wp_comment.author or "Anonymous")[:100],
        "author_email": _valid(wp_comment.email, EmailValidator()),
        "author_url": _valid(wp_comment.url, URLValidator(schemes=("http", "https")))[:200],
        "body": unescape(strip_tags(wp_comment.content)).strip(),
        "status": status,
        "created_at": wordpress_datetime(wp_comment.date_gmt, wp_comment.date),
    }
    if not values["body"]:
        raise ValidationError("it has no text")
    if values["created_at"] is None:
        values.pop("created_at")
    created = comment is None
    comment = comment or Comment()
    changed = [name for name, value in values.items() if getattr(comment, name, None) != value]
    for name in changed:
        setattr(comment, name, values[name])
    comment.save()
    ImportedItem.objects.update_or_create(
        kind=KIND,
        wordpress_id=wp_comment.wp_id,
        defaults={"object_id": comment.pk, "fingerprint": _fingerprint(wp_comment)},
    )
    report.count("comment", "created" if created else "updated")
    if not created:
        report.note(
            "comment", wp_comment.wp_id, wp_comment.author, "updated: " + ", ".join(changed)
        )
    return comment
