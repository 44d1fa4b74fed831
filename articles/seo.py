"""What search engines and share cards will make of an article, and what would read badly, for the
SEO and readability panel beside the body editor (static/js/article_editor.js): the lengths of
the title and description against what search results show, those previews, images without alt
text, the order of headings, the reading time and the FAQ that becomes FAQPage data.

Pure: it reads what the editor has typed (not yet saved) and the body as the site renders it."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.text import Truncator

from .rendering import RenderedBody, count_words, reading_minutes

SEARCH_TITLE_CHARACTERS = 60  # what a search result shows of a page's <title>, about
SEARCH_DESCRIPTION_CHARACTERS = 155  # and of its meta description
SHORT_DESCRIPTION_CHARACTERS = 70  # below this, search engines tend to write their own
SHARE_DESCRIPTION_CHARACTERS = 200  # what the page's twitter:description keeps
IMG_RE = re.compile(r"<img\b[^>]*>")
ALT_RE = re.compile(r'\balt="([^"]*)"')
SRC_RE = re.compile(r'\bsrc="([^"]*)"')
BODY_IMAGE_SOURCE_RE = re.compile(r"\]\(\s*<?image:(\d+)")


@dataclass(frozen=True)
class Typed:
    """The article's fields as the editor has them now."""

    title: str = ""
    seo_title: str = ""
    dek: str = ""
    meta_description: str = ""
    slug: str = ""
    faq: tuple[tuple[str, str], ...] = ()

    @property
    def page_title(self) -> str:
        return self.seo_title.strip() or self.title.strip()

    @property
    def description(self) -> str:
        return self.meta_description.strip() or self.dek.strip()


def _length(text: str, limit: int, *, what: str, field: str, short: int = 0) -> dict:
    length = len(text)
    if not length:
        verdict, message = "missing", f"No {what} yet: write the {field}."
    elif length > limit:
        verdict = "long"
        message = f"{length} characters: search results cut the {what} after about {limit}."
    elif length < short:
        verdict = "short"
        message = (
            f"{length} characters: search engines may write their own {what} "
            f"from the page; aim for {short}–{limit}."
        )
    else:
        verdict, message = "good", f"{length} characters: all of it shows (about {limit})."
    return {"length": length, "limit": limit, "verdict": verdict, "message": message}


def heading_problems(headings: list[tuple[int, str]]) -> list[str]:
    """A body's headings under the page's own H1 (its title): no second H1, no skipped level."""
    problems = []
    previous = 1
    for level, text in headings:
        if level == 1:
            problems.append(
                f"“{text}” is a second H1 (#): the title is the page's H1; make it a section (##)."
            )
            continue
        if level > previous + 1:
            problems.append(
                f"“{text}” is an H{level} after an H{previous}: make it an H{previous + 1} "
                f"({'#' * (previous + 1)}), so that no level is skipped."
            )
        previous = level
    return problems


def images_without_alt(html: str) -> list[str]:
    """The images of the rendered body that say nothing to a reader who cannot see them."""
    missing = []
    for tag in IMG_RE.findall(html):
        alt = ALT_RE.search(tag)
        if alt is None or not alt.group(1).strip():
            source = SRC_RE.search(tag)
            missing.append(source.group(1).rsplit("/", 1)[-1] if source else "an image")
    return missing


def body_image_ids(source: str) -> list[int]:
    return [int(found) for found in dict.fromkeys(BODY_IMAGE_SOURCE_RE.findall(source or ""))]


def faq_report(faq: tuple[tuple[str, str], ...], headings: list[tuple[int, str]]) -> dict:
    """The FAQ items that become FAQPage data, and what keeps one from being an entry."""
    entries, problems = [], []
    for question, answer in faq:
        question, answer = question.strip(), answer.strip()
        if question and answer:
            entries.append({"question": question, "answer": answer})
        elif question or answer:
            problems.append(
                f"“{question}” has no answer: it is left out."
                if question
                else "An answer has no question: it is left out."
            )
    asked = [text for level, text in headings if level >= 2 and text.endswith("?")]
    if asked and not entries:
        problems.append(
            "The body asks questions in headings, but only FAQ items (below the form) become "
            f"FAQPage data: add “{asked[0]}” there to have it shown in search results."
        )
    return {"entries": entries, "problems": problems}


def seo_report(
    typed: Typed,
    rendered: RenderedBody,
    *,
    share_image: dict | None = None,
    missing_images: list[int] = (),
) -> dict:
    """Everything the panel shows, from what the editor typed and the body as rendered."""
    full_title = f"{typed.page_title} | {settings.SITE_NAME}" if typed.page_title else ""
    description = typed.description
    faq = faq_report(typed.faq, list(rendered.headings))
    faq_words = sum(
        count_words(f"{entry['question']} {entry['answer']}") for entry in faq["entries"]
    )
    host = settings.SITE_URL.split("://", 1)[-1]
    return {
        "title": {
            "text": full_title,
            **_length(full_title, SEARCH_TITLE_CHARACTERS, what="title", field="title"),
        },
        "description": {
            "text": description,
            **_length(
                description,
                SEARCH_DESCRIPTION_CHARACTERS,
                what="description",
                field="summary (dek) or the meta description",
                short=SHORT_DESCRIPTION_CHARACTERS,
            ),
        },
        "search": {
            "title": Truncator(full_title).chars(SEARCH_TITLE_CHARACTERS),
            "url": f"{host} › articles › {typed.slug or '…'}",
            "description": Truncator(description).chars(SEARCH_DESCRIPTION_CHARACTERS),
        },
        "share": {
            "site": settings.SITE_NAME,
            "host": host,
            "title": typed.page_title,
            "description": Truncator(description).chars(SHARE_DESCRIPTION_CHARACTERS),
            "image": share_image["url"] if share_image else None,
        },
        "headings": heading_problems(list(rendered.headings)),
        "images_without_alt": images_without_alt(rendered.html),
        "missing_images": [
            f"image:{image_id} is not an uploaded image: nothing shows there."
            for image_id in missing_images
        ],
        "reading": {
            "words": rendered.word_count + faq_words,
            "minutes": reading_minutes(rendered.word_count + faq_words),
        },
        "faq": faq,
    }
