"""A WordPress post's HTML (classic or block editor) made the site's Markdown: block comments and
what the site does not show dropped, shortcodes made what the site shows for them (or a link),
Yoast FAQ blocks taken out as questions and answers. The sanitiser runs again on save."""

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from markdownify import MarkdownConverter

BLOCK_COMMENT_RE = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
SHORTCODE_RE = re.compile(
    r"\[(?P<name>caption|wp_caption|gallery|embed|video|audio|playlist)\b(?P<attrs>[^\]]*)\]"
    r"(?:(?P<inner>.*?)\[/(?P=name)\])?",
    re.DOTALL,
)
OTHER_SHORTCODE_RE = re.compile(r"\[/?([a-z][\w-]*)(?:\s[^\]]*)?\]")
ATTRIBUTE_RE = re.compile(r'(\w+)="([^"]*)"')
BLOCK_START_RE = re.compile(
    r"^\s*<(?:p|div|h[1-6]|ul|ol|li|table|blockquote|pre|figure|hr|dl|!--)\b", re.I
)
DROPPED_TAGS = ("script", "style", "noscript", "form", "input", "button", "object", "embed")


@dataclass
class Converted:
    markdown: str
    faq: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class SiteMarkdown(MarkdownConverter):
    """A figure is its image, with the caption in italics in the paragraph under it."""

    def convert_figure(self, el, text, parent_tags):
        image = el.find("img")
        caption = el.find("figcaption")
        if image is None:
            return f"\n\n{text.strip()}\n\n"
        alt = image.get("alt", "").replace("]", "")
        markdown = f"![{alt}]({image.get('src', '')})"
        if caption is not None and caption.get_text(strip=True):
            markdown += f"\n\n*{caption.get_text(' ', strip=True)}*"
        return f"\n\n{markdown}\n\n"


def _autop(html: str) -> str:
    """The classic editor stores paragraphs as blank lines (WordPress adds <p> when showing)."""
    if "<p" in html.lower() and "\n\n" not in html:
        return html
    chunks = re.split(r"\n\s*\n", html.strip())
    return "\n".join(
        chunk if BLOCK_START_RE.match(chunk) else f"<p>{chunk.replace(chr(10), '<br>')}</p>"
        for chunk in chunks
        if chunk.strip()
    )


def _shortcodes(html: str, attachments: dict[str, str], notes: list[str]) -> str:
    def replace(match: re.Match) -> str:
        name, attrs = match["name"], dict(ATTRIBUTE_RE.findall(match["attrs"] or ""))
        inner = match["inner"] or ""
        if name in ("caption", "wp_caption"):
            soup = BeautifulSoup(inner, "html.parser")
            image = soup.find("img")
            if image is None:
                return inner
            image.extract()
            for link in soup.find_all("a"):
                if not link.get_text(strip=True):
                    link.decompose()
            caption = soup.get_text(" ", strip=True) or attrs.get("caption", "")
            return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"
        if name == "gallery":
            ids = [value.strip() for value in attrs.get("ids", "").split(",") if value.strip()]
            urls = [attachments[wp_id] for wp_id in ids if wp_id in attachments]
            notes.append(f"[gallery] kept as {len(urls)} link(s) to its images")
            return "<ul>" + "".join(f'<li><a href="{url}">{url}</a></li>' for url in urls) + "</ul>"
        url = (inner or attrs.get("src", "") or attrs.get("url", "")).strip()
        notes.append(f"[{name}] kept as a link to {url or 'nothing (no address)'}")
        return f'<p><a href="{url}">{url}</a></p>' if url else ""

    html = SHORTCODE_RE.sub(replace, html)
    others = sorted(set(OTHER_SHORTCODE_RE.findall(html)) - {"x"})
    if others:
        notes.append("shortcodes left as text: " + ", ".join(f"[{name}]" for name in others))
    return html


def _faq(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """Yoast's FAQ block: each section's question and answer, the block taken out of the body."""
    faq = []
    for block in soup.select(".schema-faq, .wp-block-yoast-faq-block"):
        for section in block.select(".schema-faq-section"):
            question = section.select_one(".schema-faq-question")
            answer = section.select_one(".schema-faq-answer")
            if question is not None and question.get_text(strip=True):
                answer_text = answer.get_text("\n", strip=True) if answer is not None else ""
                faq.append((question.get_text(" ", strip=True), answer_text))
        block.decompose()
    return faq


def _embeds(soup: BeautifulSoup, notes: list[str]) -> None:
    """Block-editor embeds and iframes (videos, posts of other sites) become a link."""
    for wrapper in soup.select(".wp-block-embed__wrapper"):
        url = wrapper.get_text(strip=True)
        figure = wrapper.find_parent("figure") or wrapper
        figure.replace_with(BeautifulSoup(f'<p><a href="{url}">{url}</a></p>', "html.parser"))
        notes.append(f"embed kept as a link to {url}")
    for frame in soup.find_all("iframe"):
        url = frame.get("src", "")
        frame.replace_with(BeautifulSoup(f'<p><a href="{url}">{url}</a></p>', "html.parser"))
        notes.append(f"iframe kept as a link to {url}")


def wordpress_markdown(html: str, *, attachments: dict[str, str] | None = None) -> Converted:
    notes: list[str] = []
    html = BLOCK_COMMENT_RE.sub("", html or "")
    html = _shortcodes(_autop(html), attachments or {}, notes)
    soup = BeautifulSoup(html, "html.parser")
    faq = _faq(soup)
    _embeds(soup, notes)
    for tag in soup.find_all(DROPPED_TAGS):
        tag.decompose()
    markdown = SiteMarkdown(
        heading_style="ATX", bullets="-", escape_underscores=False, escape_asterisks=False
    ).convert_soup(soup)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip()
    return Converted(markdown=markdown, faq=faq, notes=notes)
