"""The SEO and readability checks beside the editor: lengths against what search results show,
the search result and share card previews, alt text, heading order, reading time and the FAQ."""

import json

import pytest
from django.urls import reverse

from articles.rendering import render_markdown
from articles.seo import Typed, faq_report, heading_problems, images_without_alt, seo_report

from .factories import ArticleFactory, staff_member
from .test_workflow import logged_in

PREVIEW = reverse("admin:articles_article_body_preview")


def report(body: str = "Text.", **typed) -> dict:
    return seo_report(Typed(**typed), render_markdown(body))


def test_a_title_is_measured_as_search_results_show_it_with_the_site_s_name(settings):
    settings.SITE_NAME = "AI Careers Guide"
    title = report(title="How to become a data scientist")["title"]
    assert title["text"] == "How to become a data scientist | AI Careers Guide"
    assert (title["length"], title["limit"], title["verdict"]) == (49, 60, "good")


def test_the_seo_title_stands_for_the_title_and_a_long_one_is_flagged(settings):
    settings.SITE_NAME = "AI Careers Guide"
    result = report(title="Short", seo_title="A" * 50)
    assert result["title"]["length"] == 69
    assert result["title"]["verdict"] == "long"
    assert "cut the title after about 60" in result["title"]["message"]
    assert result["search"]["title"] == ("A" * 50 + " | AI Careers Guide")[:59] + "…"


@pytest.mark.parametrize(
    "typed, verdict, length",
    [
        ({}, "missing", 0),
        ({"dek": "Too short to be a description."}, "short", 30),
        ({"dek": "d" * 120}, "good", 120),
        ({"dek": "d" * 120, "meta_description": "m" * 156}, "long", 156),
    ],
)
def test_the_description_is_the_meta_description_or_the_dek_against_155(typed, verdict, length):
    description = report(**typed)["description"]
    assert (description["verdict"], description["length"], description["limit"]) == (
        verdict,
        length,
        155,
    )


def test_the_search_result_and_share_card_previews(settings):
    settings.SITE_URL, settings.SITE_NAME = "https://careers.example", "AI Careers Guide"
    result = seo_report(
        Typed(title="Salaries", slug="salaries", dek="x " * 120),
        render_markdown("Text."),
        share_image={"url": "https://careers.example/media/a.jpg", "width": 1, "height": 1},
    )
    assert result["search"]["url"] == "careers.example › articles › salaries"
    assert len(result["search"]["description"]) == 155
    assert result["search"]["description"].endswith("…")
    assert result["share"] == {
        "site": "AI Careers Guide",
        "host": "careers.example",
        "title": "Salaries",
        "description": ("x " * 120).strip()[:199] + "…",
        "image": "https://careers.example/media/a.jpg",
    }


@pytest.mark.parametrize(
    "body, problems",
    [
        ("## A\n\n### B\n\n## C\n\n### D\n\n#### E", []),
        ("# Again the title\n\n## A", ["“Again the title” is a second H1"]),
        ("### Too deep first", ["“Too deep first” is an H3 after an H1: make it an H2 (##)"]),
        ("## A\n\n#### Skipped", ["“Skipped” is an H4 after an H2: make it an H3 (###)"]),
    ],
    ids=["in-order", "second-h1", "first-heading-too-deep", "skipped-level"],
)
def test_heading_order(body, problems):
    found = heading_problems(render_markdown(body).headings)
    assert len(found) == len(problems)
    for message, expected in zip(found, problems, strict=True):
        assert message.startswith(expected)


def test_images_without_alt_text_are_named():
    html = render_markdown(
        "![](https://example.org/pics/chart.png)\n\n![A chart](https://example.org/b.png)\n\n"
        '<img src="https://example.org/raw.png">'
    ).html
    assert images_without_alt(html) == ["chart.png", "raw.png"]


def test_the_faq_that_becomes_faqpage_data_and_what_is_left_out():
    faq = faq_report((("What does it pay?", "Well."), ("Half asked?", ""), ("", "")), headings=[])
    assert faq["entries"] == [{"question": "What does it pay?", "answer": "Well."}]
    assert faq["problems"] == ["“Half asked?” has no answer: it is left out."]


def test_questions_asked_in_the_body_only_are_pointed_to_the_faq_items():
    body = "## Frequently asked questions\n\n### Do I need a PhD?\n\nNo."
    faq = report(body)["faq"]
    assert faq["entries"] == []
    assert "add “Do I need a PhD?” there" in faq["problems"][0]


def test_the_reading_time_counts_the_faq_answers_too(settings):
    settings.ARTICLES_WORDS_PER_MINUTE = 10
    reading = seo_report(
        Typed(faq=(("One two three?", "Four five six seven."),)),
        render_markdown("word " * 18),
    )["reading"]
    assert reading == {"words": 25, "minutes": 3}  # 2.5 minutes, rounded up


@pytest.mark.django_db
def test_the_preview_answers_the_report_for_what_the_form_holds(settings):
    settings.SITE_NAME = "AI Careers Guide"
    writer = staff_member("Writers", "wendy")
    article = ArticleFactory(draft=True, author=writer.author_profile)
    answer = (
        logged_in(writer)
        .post(
            PREVIEW,
            {
                "body": "# Oops\n\n![](image:999999)\n\n## Fine",
                "title": "Unsaved title",
                "dek": "An unsaved summary.",
                "slug": "unsaved",
                "article": article.pk,
                "faq": json.dumps([["Is it hard?", "Sometimes."]]),
            },
        )
        .json()
    )
    seo = answer["seo"]
    assert seo["title"]["text"] == "Unsaved title | AI Careers Guide"
    assert seo["search"]["url"].endswith("› articles › unsaved")
    assert seo["headings"][0].startswith("“Oops” is a second H1")
    assert seo["missing_images"] == ["image:999999 is not an uploaded image: nothing shows there."]
    assert seo["faq"]["entries"] == [{"question": "Is it hard?", "answer": "Sometimes."}]
    assert seo["share"]["image"] is None  # the factory's article has no featured image


@pytest.mark.django_db
def test_the_share_card_shows_only_an_article_the_user_may_see():
    from .test_body_images import photo

    other = ArticleFactory(featured_image=photo(name="cover.jpg"), featured_image_alt="A cover")
    editor, writer = staff_member("Editors", "edith"), staff_member("Writers", "wendy")
    data = {"body": "x", "article": other.pk}
    shown = logged_in(editor).post(PREVIEW, data).json()["seo"]["share"]["image"]
    assert shown.startswith("/media/renditions/") and shown.endswith("cover-1200w.jpg")
    assert logged_in(writer).post(PREVIEW, data).json()["seo"]["share"]["image"] is None


@pytest.mark.django_db
def test_a_malformed_faq_field_is_no_error():
    answer = logged_in(staff_member("Editors", "edith")).post(
        PREVIEW, {"body": "x", "faq": "{not json"}
    )
    assert answer.status_code == 200
    assert answer.json()["seo"]["faq"] == {"entries": [], "problems": []}
