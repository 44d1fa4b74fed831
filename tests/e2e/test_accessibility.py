import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.articles.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    FAQItemFactory,
    TagFactory,
)

WCAG_A_AND_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_A_AND_AA}, "resultTypes": ["violations"]}

ARTICLE_BODY = """\
Machine learning engineers turn models into products that people use every day.

## What the job is

Building models and the systems around them: data pipelines, training, evaluation and serving.

## What it pays

| Level | Typical salary |
| ----- | -------------- |
| Junior | 70,000 |
| Senior | 140,000 |

## How to get there

1. Learn Python and SQL well.
2. Ship a small project end to end.
3. Read other people's code.

> The best portfolio is one model that someone actually used.
"""


@pytest.fixture
def site_content():
    """Enough published content that every page shows its full layout: cards, tiles, FAQ, tags."""
    author = AuthorFactory(
        name="Grace Hopper",
        slug="grace-hopper",
        role="Head of Machine Learning",
        bio="Grace has hired ML engineers for ten years.\n\nShe mentors career changers.",
    )
    other_author = AuthorFactory(name="Alan Turing", slug="alan-turing")
    careers, skills, salaries = (
        CategoryFactory(name=name, description=f"Guides about {name.lower()}.")
        for name in ("Careers", "Skills", "Salaries")
    )
    python, interviews = TagFactory(name="Python"), TagFactory(name="Interviews")
    article = ArticleFactory(
        with_image=True,
        title="How to become a machine learning engineer",
        slug="become-a-machine-learning-engineer",
        body=ARTICLE_BODY,
        author=author,
        category=careers,
        tags=[python, interviews],
        is_featured=True,
        featured_image_caption="Job postings for ML engineers, 2020 to 2025.",
        featured_image_credit="Example Jobs Board",
    )
    FAQItemFactory(article=article, question="Do I need a PhD?", answer="No.\n\nMost do not.")
    FAQItemFactory(article=article, question="Which language should I learn first?")
    ArticleFactory(with_image=True, author=author, category=careers, tags=[python])
    ArticleFactory(author=author, category=skills, tags=[interviews], is_featured=True)
    for category in (skills, salaries, careers):
        ArticleFactory(author=other_author, category=category)
    ArticleFactory(draft=True, author=author, category=salaries)
    return {"article": article, "author": author}


PAGE_PATHS = {
    "home": lambda content: reverse("articles:home"),
    "article-list": lambda content: reverse("articles:list"),
    "article": lambda content: content["article"].get_absolute_url(),
    "author": lambda content: content["author"].get_absolute_url(),
}


@pytest.mark.parametrize("page_name", PAGE_PATHS)
def test_page_has_no_wcag_a_or_aa_violations(live_server, page, site_content, page_name):
    path = PAGE_PATHS[page_name](site_content)
    page.goto(live_server.url + path)

    results = Axe().run(page, options=AXE_OPTIONS)

    violations = results.response["violations"]
    assert not violations, format_violations(path, violations)


def format_violations(path: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} WCAG A/AA violation(s) on {path}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " >> ".join(str(selector) for selector in node["target"])
            summary = " ".join(node["failureSummary"].split())
            lines.append(f"    {target}: {summary}")
            lines.append(f"      {node['html']}")
    return "\n".join(lines)


@pytest.mark.parametrize("width", [390, 1200, 1280, 1440])
def test_the_header_never_pushes_the_page_sideways(browser, live_server, width):
    """Categories named like the demo's five, with the search and the call to action: the header
    fits every width (on narrow screens in the menu, at 1200 px on two lines)."""
    for name in ("Roles & Careers", "Skills & Learning", "Salaries & Hiring", "Industries", "More"):
        CategoryFactory(name=name)
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + reverse("articles:home"))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0
