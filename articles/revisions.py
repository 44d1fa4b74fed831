"""Revisions of articles (django-reversion): every save keeps what the page shows, the article
with its tags and FAQ, in one revision with who and when. Comparing two is reading their fields
side by side, with the body and the FAQ as a line diff."""

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from itertools import zip_longest

import reversion
from django.utils import dateformat, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from reversion.models import Version

from .models import Article, Author, Category, FAQItem, Tag

# Every field that shows on the page or decides where and when; the derived ones (HTML, counts,
# search vectors, renditions) follow from these and are made again on save.
SHOWN_FIELDS = (
    "title", "slug", "dek", "body", "status", "published_at", "author", "category", "tags",
    "is_featured", "featured_image", "featured_image_alt", "featured_image_caption",
    "featured_image_credit", "comments_enabled", "seo_title", "meta_description", "review_note",
)  # fmt: skip
# What a restore brings back: the content, never the workflow (a restore publishes nothing).
RESTORED_FIELDS = tuple(
    name for name in SHOWN_FIELDS if name not in {"status", "published_at", "review_note"}
)
DIFFED_FIELDS = {"body", "faq"}
WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def register() -> None:
    if not reversion.is_registered(Article):
        reversion.register(Article, fields=SHOWN_FIELDS, follow=("faqs",))
        reversion.register(FAQItem, fields=("article", "question", "answer", "position"))


def versions_of(article: Article):
    """Newest first, with who saved each."""
    return Version.objects.get_for_object(article).select_related("revision__user")


def faq_of(version: Version) -> list[dict]:
    faq_versions = version.revision.version_set.filter(content_type__model="faqitem")
    items = [item.field_dict for item in faq_versions]
    return sorted(items, key=lambda item: (item["position"], item["question"]))


def readable(version: Version) -> dict[str, str]:
    """The version's fields as an editor reads them (names, not ids), FAQ included."""
    fields = version.field_dict
    labels = {}
    for name in SHOWN_FIELDS:
        field = Article._meta.get_field(name)
        value = fields.get(field.attname)
        if name == "author":
            value = Author.objects.filter(pk=value).values_list("name", flat=True).first()
        elif name == "category":
            value = Category.objects.filter(pk=value).values_list("name", flat=True).first()
        elif name == "tags":
            value = ", ".join(Tag.objects.filter(pk__in=value or []).values_list("name", flat=True))
        elif name == "status":
            value = Article.Status(value).label if value else ""
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, datetime):
            value = dateformat.format(timezone.localtime(value), "D j M Y, H:i T")
        labels[name] = "" if value is None else str(value)
    labels["faq"] = "\n\n".join(
        f"Q: {item['question']}\nA: {item['answer']}" for item in faq_of(version)
    )
    return labels


@dataclass
class Row:
    name: str
    label: str
    old: str
    new: str
    diff: list["DiffLine"] | None = None

    @property
    def changed(self) -> bool:
        return self.old != self.new


def compare(old: Version, new: Version) -> list[Row]:
    """Every field of the two versions, the changed ones first; long texts as a line diff."""
    before, after = readable(old), readable(new)
    rows = []
    for name in (*SHOWN_FIELDS, "faq"):
        label = "FAQ" if name == "faq" else capfirst(Article._meta.get_field(name).verbose_name)
        row = Row(name, str(label), before[name], after[name])
        if name in DIFFED_FIELDS and row.changed:
            row.diff = line_diff(row.old, row.new)
        rows.append(row)
    return sorted(rows, key=lambda row: not row.changed)


@dataclass
class DiffLine:
    """One row of a side-by-side diff: a line number and its text (escaped, with the changed
    words in <del> or <ins>) on each side; `kind` is same, changed, removed, added or gap."""

    kind: str
    old_number: int | None = None
    old: SafeString = SafeString("")
    new_number: int | None = None
    new: SafeString = SafeString("")


def line_diff(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    """The changed lines of two texts and `context` lines around them, side by side; within a
    changed line, the changed words are marked."""
    before, after = old.splitlines(), new.splitlines()
    rows: list[DiffLine] = []
    groups = difflib.SequenceMatcher(None, before, after, autojunk=False).get_grouped_opcodes(
        context
    )
    for number, group in enumerate(groups):
        if number:
            rows.append(DiffLine("gap"))
        for tag, i1, i2, j1, j2 in group:
            pairs = zip_longest(range(i1, i2), range(j1, j2))
            for i, j in pairs:
                if tag == "equal":
                    text = escape(before[i])
                    rows.append(DiffLine("same", i + 1, text, j + 1, text))
                elif i is not None and j is not None:
                    marked_old, marked_new = _word_diff(before[i], after[j])
                    rows.append(DiffLine("changed", i + 1, marked_old, j + 1, marked_new))
                elif i is not None:
                    rows.append(DiffLine("removed", i + 1, format_html("<del>{}</del>", before[i])))
                else:
                    rows.append(
                        DiffLine(
                            "added", new_number=j + 1, new=format_html("<ins>{}</ins>", after[j])
                        )
                    )
    return rows


def _word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    before, after = WORDS.findall(old), WORDS.findall(new)
    marked_old, marked_new = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after).get_opcodes():
        removed, added = "".join(before[i1:i2]), "".join(after[j1:j2])
        if tag == "equal":
            marked_old.append(escape(removed))
            marked_new.append(escape(added))
            continue
        if removed:
            marked_old.append(format_html("<del>{}</del>", removed))
        if added:
            marked_new.append(format_html("<ins>{}</ins>", added))
    return mark_safe("".join(marked_old)), mark_safe("".join(marked_new))  # escaped above


def describe(version: Version) -> str:
    revision = version.revision
    who = revision.user.get_username() if revision.user else "the site"
    return format_html("{} by {}", revision.date_created.strftime("%d %b %Y, %H:%M"), who)
