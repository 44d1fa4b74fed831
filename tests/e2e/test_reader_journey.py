from django.urls import reverse
from playwright.sync_api import Page, Response, expect

from tests.articles.factories import ArticleFactory, AuthorFactory, FAQItemFactory


def open_article_and_wait_for_view_beacon(page: Page, live_server, article) -> Response:
    beacon_url = live_server.url + reverse("articles:view-beacon", kwargs={"slug": article.slug})
    with page.expect_response(
        lambda response: response.url == beacon_url and response.request.method == "POST"
    ) as beacon:
        page.goto(live_server.url + article.get_absolute_url())
    return beacon.value


def test_reader_opens_an_article_from_the_home_page_and_reads_its_faq(live_server, page):
    author = AuthorFactory(name="Grace Hopper")
    article = ArticleFactory(title="How to become a machine learning engineer", author=author)
    faq = FAQItemFactory(
        article=article,
        question="Do I need a PhD to work in machine learning?",
        answer="No: most machine learning engineers were hired for what they had built.",
    )
    article.refresh_from_db()  # the FAQ changed the reading time

    page.goto(live_server.url + "/")
    card = page.locator(".article-card", has_text=article.title)
    expect(card).to_be_visible()
    card.get_by_role("link", name=article.title).click()

    expect(page).to_have_url(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)
    expect(page.locator(".article-byline")).to_contain_text(author.name)
    expect(page.locator(".article-byline")).to_contain_text(f"{article.reading_time} min read")

    question = page.locator("details.faq-item > summary", has_text=faq.question)
    answer = page.get_by_text(faq.answer)
    expect(question).to_be_visible()
    expect(answer).to_be_hidden()
    question.click()
    expect(answer).to_be_visible()


def test_draft_article_title_is_not_on_the_home_page(live_server, page):
    published = ArticleFactory(title="Data scientist or ML engineer?")
    draft = ArticleFactory(draft=True, title="Salary survey, not ready yet")

    page.goto(live_server.url + "/")

    expect(page.get_by_role("link", name=published.title)).to_be_visible()
    expect(page.get_by_text(draft.title)).to_have_count(0)


def test_article_view_is_counted_once_per_reader(live_server, page):
    article = ArticleFactory()

    first = open_article_and_wait_for_view_beacon(page, live_server, article)

    assert first.status == 200
    article.refresh_from_db()
    assert article.view_count == 1

    second = open_article_and_wait_for_view_beacon(page, live_server, article)

    assert second.status == 200
    expect(page.locator(".view-count-item")).to_be_hidden()  # one view is too few to show
    article.refresh_from_db()
    assert article.view_count == 1
