"""Markdown bodies to sanitized HTML, a table of contents and a word count.

Runs at save time, so a page only ever shows HTML that went through the nh3 allowlist.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import markdown
import nh3
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import slugify

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol",
    "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
# `image:` is the address of an image uploaded into the body (`![alt](image:12 "Caption")`): it
# passes the allowlist only to be replaced, after it, by that image's <figure>.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "image"}
WORD_RE = re.compile(r"\w+(?:['’-]\w+)*")
# A wide table or line of code scrolls inside its own box, never the page; the box takes the
# keyboard's focus so that it can be scrolled without a mouse. Added after the allowlist (which
# allows no tabindex to authors), to the elements the allowlist let through.
SCROLL_BOX = '<div class="table-scroll" tabindex="0" role="region" aria-label="Table">'

# `[text](article:slug)` or `[text](article:slug#section)`: a link to another article by its slug.
ARTICLE_LINK_RE = re.compile(r'href="article:([-\w]+)(#[-\w]*)?"')
ARTICLE_LINK_SOURCE_RE = re.compile(r"\]\(\s*<?article:([-\w]+)")
# An <img> as the sanitiser writes it (every value in double quotes, `"` escaped), alone in its
# paragraph or not; its `image:ID` source names an uploaded image.
BODY_IMAGE_RE = re.compile(r'(<p>)?<img((?:\s+[-\w]+="[^"]*")*)\s*/?>(</p>)?')
HEADING_RE = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
ATTRIBUTE_RE = re.compile(r'([-\w]+)="([^"]*)"')
BODY_IMAGE_SRC_RE = re.compile(r"image:(\d+)")


@dataclass(frozen=True)
class RenderedBody:
    html: str
    toc: list[dict]
    word_count: int
    headings: list[tuple[int, str]] = ()  # every heading written, # (level 1) included, in order


def heading_slug(value: str, separator: str = "-") -> str:
    return slugify(value) or "section"


def _flatten_toc(tokens: list[dict], max_level: int = 3) -> list[dict]:
    entries = []
    for token in tokens:
        if 2 <= token["level"] <= max_level:
            entries.append(
                {
                    "level": token["level"],
                    "id": token["id"],
                    "title": html.unescape(strip_tags(token["name"])),
                }
            )
        entries.extend(_flatten_toc(token.get("children", []), max_level))
    return entries


def count_words(text: str) -> int:
    return len(WORD_RE.findall(text))


def article_link_slugs(source: str) -> list[str]:
    """The slugs that `[text](article:slug)` links in a Markdown body name, in order."""
    return list(dict.fromkeys(ARTICLE_LINK_SOURCE_RE.findall(source or "")))


def _resolve_article_links(raw_html: str, link_target: Callable[[str], str | None]) -> str:
    def replace(match: re.Match) -> str:
        target = link_target(match.group(1))
        if target is None:
            return match.group(0)  # not a scheme the sanitiser keeps: the text stays, unlinked
        return f'href="{html.escape(target)}{match.group(2) or ""}"'

    return ARTICLE_LINK_RE.sub(replace, raw_html)


def _all_headings(raw_html: str) -> list[tuple[int, str]]:
    """Every heading as written, before the allowlist drops an <h1> to its text."""
    return [
        (int(level), html.unescape(strip_tags(text)).strip())
        for level, text in HEADING_RE.findall(raw_html)
    ]


def _body_figures(clean_html: str, figure: Callable[[int, str, str], str | None]) -> str:
    """Each `image:ID` image becomes the figure `figure(ID, alt, caption)` makes of it (an image
    that no longer exists, nothing). Alt and caption come from the sanitised attributes, read as
    text: the figure's markup is the server's own, never what the writer typed."""

    def replace(match: re.Match) -> str:
        attributes = {
            name: html.unescape(value) for name, value in ATTRIBUTE_RE.findall(match.group(2))
        }
        source = BODY_IMAGE_SRC_RE.fullmatch(attributes.get("src", ""))
        if source is None:
            return match.group(0)
        made = figure(int(source.group(1)), attributes.get("alt", ""), attributes.get("title", ""))
        made = made or ""
        if match.group(1) and match.group(3):  # alone in its paragraph: the figure replaces it
            return made
        return (match.group(1) or "") + made + (match.group(3) or "")

    return BODY_IMAGE_RE.sub(replace, clean_html)


def _no_figure(image_id: int, alt: str, caption: str) -> None:
    return None


def render_markdown(
    source: str,
    *,
    link_target: Callable[[str], str | None] | None = None,
    figure: Callable[[int, str, str], str | None] | None = None,
) -> RenderedBody:
    """`link_target` turns the slug of an `article:` link into the address it leads to;
    `figure` makes the <figure> of an uploaded image from its id, alt text and caption."""
    md = markdown.Markdown(
        extensions=["toc", "tables", "fenced_code", "sane_lists"],
        extension_configs={"toc": {"slugify": heading_slug, "toc_depth": "2-6"}},
        output_format="html",
    )
    raw_html = md.convert(source or "")
    if link_target is not None:
        raw_html = _resolve_article_links(raw_html, link_target)
    clean_html = nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    clean_html = _in_scroll_boxes(clean_html)
    word_count = count_words(strip_tags(clean_html))
    # Without a way to make figures, an `image:` image shows nothing rather than a broken one.
    clean_html = _body_figures(clean_html, figure or _no_figure)
    return RenderedBody(
        html=clean_html,
        toc=_flatten_toc(md.toc_tokens),
        word_count=word_count,
        headings=_all_headings(raw_html),
    )


def _in_scroll_boxes(clean_html: str) -> str:
    """Tables in a scrolling box, and code blocks focusable (they scroll themselves)."""
    clean_html = clean_html.replace("<table>", SCROLL_BOX + "<table>")
    clean_html = clean_html.replace("</table>", "</table></div>")
    return clean_html.replace("<pre>", '<pre tabindex="0">')


def reading_minutes(word_count: int) -> int:
    return max(1, int(word_count / settings.ARTICLES_WORDS_PER_MINUTE + 0.5))
