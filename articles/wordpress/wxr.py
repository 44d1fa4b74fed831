"""A WordPress export (WXR 1.0 to 1.2) read as a stream: each author, term and item is handed
over as it is read and then dropped, so memory stays flat however big the file is."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from typing import BinaryIO
from xml.etree import ElementTree

WP_NAMESPACE_RE = re.compile(r"^http://wordpress\.org/export/1\.\d+/$")
NAMESPACE_PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
CHANNEL_RECORDS = {"wp:author", "wp:category", "wp:tag", "wp:term", "item"}


class NotAnExport(Exception):
    """The file is not a WordPress export, or is not well-formed XML (cut short, say)."""


@dataclass
class Author:
    wp_id: str
    login: str
    email: str
    display_name: str


@dataclass
class Term:
    kind: str  # "category" or "post_tag"
    wp_id: str
    slug: str
    name: str
    parent_slug: str = ""
    description: str = ""


@dataclass
class Comment:
    wp_id: str
    parent_id: str
    author: str
    email: str
    url: str
    date: str
    date_gmt: str
    content: str
    approved: str
    type: str


@dataclass
class Item:
    wp_id: str
    post_type: str
    title: str
    link: str
    slug: str
    status: str
    date: str
    date_gmt: str
    modified_gmt: str
    creator: str
    content: str
    excerpt: str
    password: str
    is_sticky: bool
    attachment_url: str
    comment_status: str = "open"
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # (domain, slug, name)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Channel:
    """What the export says of the site: its address, for the old links."""

    wxr_version: str = ""
    base_site_url: str = ""
    link: str = ""


def _name(tag: str) -> str:
    """`{http://wordpress.org/export/1.2/}post_id` -> `wp:post_id`, whatever the WXR version."""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    if WP_NAMESPACE_RE.match(namespace):
        return f"wp:{local}"
    if namespace.startswith("http://wordpress.org/export/") and namespace.endswith("/excerpt/"):
        return f"excerpt:{local}"
    prefix = NAMESPACE_PREFIXES.get(namespace)
    return f"{prefix}:{local}" if prefix else local


def _text(element: ElementTree.Element, name: str) -> str:
    for child in element:
        if _name(child.tag) == name:
            return (child.text or "").strip() if name != "content:encoded" else child.text or ""
    return ""


def _author(element) -> Author:
    return Author(
        wp_id=_text(element, "wp:author_id"),
        login=_text(element, "wp:author_login"),
        email=_text(element, "wp:author_email"),
        display_name=unescape(_text(element, "wp:author_display_name")),
    )


def _term(element, name: str) -> Term:
    if name == "wp:category":
        return Term(
            kind="category",
            wp_id=_text(element, "wp:term_id"),
            slug=_text(element, "wp:category_nicename"),
            name=unescape(_text(element, "wp:cat_name")),
            parent_slug=_text(element, "wp:category_parent"),
            description=unescape(_text(element, "wp:category_description")),
        )
    if name == "wp:tag":
        return Term(
            kind="post_tag",
            wp_id=_text(element, "wp:term_id"),
            slug=_text(element, "wp:tag_slug"),
            name=unescape(_text(element, "wp:tag_name")),
        )
    return Term(  # wp:term, WXR 1.2's generic term
        kind=_text(element, "wp:term_taxonomy"),
        wp_id=_text(element, "wp:term_id"),
        slug=_text(element, "wp:term_slug"),
        name=unescape(_text(element, "wp:term_name")),
        parent_slug=_text(element, "wp:term_parent"),
    )


def _comment(element) -> Comment:
    return Comment(
        wp_id=_text(element, "wp:comment_id"),
        parent_id=_text(element, "wp:comment_parent"),
        author=unescape(_text(element, "wp:comment_author")),
        email=_text(element, "wp:comment_author_email"),
        url=_text(element, "wp:comment_author_url"),
        date=_text(element, "wp:comment_date"),
        date_gmt=_text(element, "wp:comment_date_gmt"),
        content=_text(element, "wp:comment_content"),
        approved=_text(element, "wp:comment_approved"),
        type=_text(element, "wp:comment_type"),
    )


def _item(element) -> Item:
    item = Item(
        wp_id=_text(element, "wp:post_id"),
        post_type=_text(element, "wp:post_type"),
        title=unescape(_text(element, "title")),
        link=_text(element, "link"),
        slug=_text(element, "wp:post_name"),
        status=_text(element, "wp:status"),
        date=_text(element, "wp:post_date"),
        date_gmt=_text(element, "wp:post_date_gmt"),
        modified_gmt=_text(element, "wp:post_modified_gmt"),
        creator=_text(element, "dc:creator"),
        content=_text(element, "content:encoded"),
        excerpt=_text(element, "excerpt:encoded"),
        password=_text(element, "wp:post_password"),
        is_sticky=_text(element, "wp:is_sticky") == "1",
        attachment_url=_text(element, "wp:attachment_url"),
        comment_status=_text(element, "wp:comment_status"),
    )
    for child in element:
        name = _name(child.tag)
        if name == "category":
            item.terms.append(
                (child.get("domain", ""), child.get("nicename", ""), unescape(child.text or ""))
            )
        elif name == "wp:postmeta":
            item.meta[_text(child, "wp:meta_key")] = _text(child, "wp:meta_value")
        elif name == "wp:comment":
            item.comments.append(_comment(child))
    return item


def read_export(source: str | BinaryIO, channel: Channel) -> Iterator[Author | Term | Item]:
    """The export's records in the file's order; `channel` is filled in as its fields are read.

    Raises NotAnExport for a file that is not an RSS document with a WXR version, or is not
    well-formed (a cut-short file fails at its end, after the records read before it).
    """
    depth = 0
    channel_element = None
    try:
        for event, element in ElementTree.iterparse(source, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != "rss":
                    raise NotAnExport(f"its root element is <{_name(element.tag)}>, not <rss>")
                if depth == 2:
                    channel_element = element
                continue
            depth -= 1
            if depth != 2:
                continue
            name = _name(element.tag)
            if name == "wp:wxr_version":
                channel.wxr_version = (element.text or "").strip()
            elif name == "wp:base_site_url":
                channel.base_site_url = (element.text or "").strip()
            elif name == "link":
                channel.link = (element.text or "").strip()
            elif name in CHANNEL_RECORDS:
                if not channel.wxr_version:
                    raise NotAnExport("it has no <wp:wxr_version>")
                if name == "item":
                    yield _item(element)
                elif name == "wp:author":
                    yield _author(element)
                else:
                    yield _term(element, name)
            channel_element.remove(element)  # read: let it go
    except ElementTree.ParseError as error:
        line, column = error.position
        raise NotAnExport(
            f"it is not well-formed XML at line {line}, column {column} "
            f"({str(error).split(':')[0]}): it may have been cut short"
        ) from None
    if not channel.wxr_version:
        raise NotAnExport("it has no <wp:wxr_version>")
