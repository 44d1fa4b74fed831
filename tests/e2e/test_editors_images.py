"""The editor's images and its SEO panel in Chromium: an image is uploaded (button, drop),
described and inserted, and the preview shows its figure; a bad file is refused in the dialog."""

import base64
import re

import pytest
from playwright.sync_api import expect

from articles.models import BodyImage
from tests.articles.factories import ArticleFactory, image_bytes, staff_member
from tests.e2e import test_editors_desk as desk

# The desk's fixtures: a page signed in as someone, and where screenshots go.
open_as, screenshots, assert_fits_the_window = (
    desk.open_as,
    desk.screenshots,
    desk.assert_fits_the_window,
)

pytestmark = pytest.mark.django_db(transaction=True)


def change_url(live_server, article) -> str:
    return f"{live_server.url}/admin/articles/article/{article.pk}/change/"


def drop_file(page, name: str, content: bytes, mime: str) -> None:
    """Drop a file on the body, as a file dragged from the desktop is."""
    page.evaluate(
        """([name, data, mime]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: mime }));
            const body = document.getElementById("id_body");
            const options = { dataTransfer: transfer, bubbles: true, cancelable: true };
            body.dispatchEvent(new DragEvent("dragover", options));
            body.dispatchEvent(new DragEvent("drop", options));
        }""",
        [name, base64.b64encode(content).decode(), mime],
    )


def test_a_writer_uploads_an_image_describes_it_and_the_preview_shows_the_figure(
    live_server, open_as, tmp_path, screenshots
):
    writer = staff_member("Writers", "wendy")
    article = ArticleFactory(draft=True, author=writer.author_profile, body="Intro.\n\nEnd.")
    photo = tmp_path / "desk.jpg"
    photo.write_bytes(image_bytes((1600, 900)))
    page = open_as(writer, 1366)
    page.goto(change_url(live_server, article))
    body = page.locator("#id_body")
    body.click()
    body.evaluate("(field) => field.setSelectionRange(7, 7)")  # after "Intro."

    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Image", exact=True).click()
    chooser.value.set_files(str(photo))
    dialog = page.get_by_role("dialog", name="Insert an image")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("desk.jpg")).to_be_visible()
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog.get_by_text("Describe the image for readers who cannot see it")).to_be_visible()
    assert not BodyImage.objects.exists()  # no alt text: nothing was sent

    dialog.get_by_label("Alt text").fill("A desk by a window")
    dialog.get_by_label("Caption").fill("Where the work gets done")
    dialog.get_by_label("Credit").fill("Photo: Wendy")
    page.screenshot(path=screenshots / "editor-image-dialog-1366.png")
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog).to_be_hidden()

    image = BodyImage.objects.get()
    expect(body).to_have_value(
        f'Intro.\n\n![A desk by a window](image:{image.pk} "Where the work gets done")\n\n\nEnd.'
    )
    figure = page.locator("#body-preview figure.body-figure")
    expect(figure.locator("img")).to_have_attribute("alt", "A desk by a window")
    expect(figure.locator("img")).to_have_attribute("srcset", re.compile(r"480w.*1200w"))
    expect(figure.locator("img")).to_have_attribute("loading", "lazy")
    expect(figure.locator("figcaption")).to_have_text("Where the work gets done Photo: Wendy")
    # The rendition loads: the site's CSP lets the media through.
    assert figure.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert_fits_the_window(page)
    for width in (1366, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=screenshots / f"editor-image-{width}.png", full_page=True)


def test_a_dropped_file_that_is_not_an_image_is_refused_in_the_dialog(live_server, open_as):
    editor = staff_member("Editors", "edith")
    article = ArticleFactory()
    page = open_as(editor)
    page.goto(change_url(live_server, article))
    body_before = page.locator("#id_body").input_value()
    drop_file(page, "notes.txt", b"just some text", "text/plain")
    dialog = page.get_by_role("dialog", name="Insert an image")
    dialog.get_by_label("Alt text").fill("Notes")
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog.get_by_text("“txt” is not an image's extension")).to_be_visible()
    expect(dialog.get_by_label("Alt text")).to_have_value("Notes")  # what was typed stays

    drop_file(page, "chart.png", image_bytes((900, 500), "PNG"), "image/png")
    dialog.get_by_label("Alt text").fill("A rising chart")
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#body-preview figure img")).to_have_attribute("alt", "A rising chart")
    image = BodyImage.objects.get()
    value = page.locator("#id_body").input_value()
    assert f"![A rising chart](image:{image.pk})" in value
    assert value.replace(f"![A rising chart](image:{image.pk})", "").split() == body_before.split()


def test_the_seo_panel_follows_what_the_editor_types(live_server, open_as, screenshots, settings):
    editor = staff_member("Editors", "edith")
    article = ArticleFactory(title="Salaries", body="## Pay\n\nText.", dek="Short.")
    page = open_as(editor, 1366)
    page.goto(change_url(live_server, article))
    tab = page.get_by_role("tab", name=re.compile("SEO & readability"))
    tab.click()
    panel = page.get_by_role("tabpanel", name=re.compile("SEO & readability"))
    expect(panel).to_be_visible()
    expect(page.locator("#body-preview")).to_be_hidden()
    expect(panel.locator(".seo-search-title")).to_have_text(f"Salaries | {settings.SITE_NAME}")
    expect(panel.get_by_text("Headings in order")).to_be_visible()
    expect(panel.get_by_text("Description: 6 characters")).to_be_visible()

    page.locator("#id_title").fill("What machine learning engineers earn in Europe in 2026")
    too_long = re.compile(r"Title: \d+ characters: search results cut")
    expect(panel.get_by_text(too_long)).to_be_visible()
    body = page.locator("#id_body")
    body.click()
    body.press("End")
    body.press_sequentially(
        "\n\n# A second title\n\n#### Too deep\n\n![](https://example.org/chart.png)"
    )
    expect(panel.get_by_text(re.compile("“A second title” is a second H1"))).to_be_visible()
    expect(panel.get_by_text(re.compile("“Too deep” is an H4 after an H2"))).to_be_visible()
    expect(panel.get_by_text(re.compile("Without alt text: chart.png"))).to_be_visible()

    page.get_by_text("Add another FAQ item").click()
    page.locator("#id_faqs-0-question").fill("Do I need a PhD?")
    page.locator("#id_faqs-0-answer").fill("No: most roles ask for shipped work.")
    expect(panel.locator(".seo-faq li strong")).to_have_text("Do I need a PhD?")
    expect(panel.get_by_text(re.compile(r"Reading time: about 1 min"))).to_be_visible()
    expect(tab).to_contain_text("(")  # the number of things to look at
    assert_fits_the_window(page)
    for width in (1366, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(".body-editor").evaluate("(editor) => editor.scrollIntoView()")
        page.screenshot(path=screenshots / f"editor-seo-{width}.png")
    page.get_by_role("tab", name="Preview").click()
    expect(page.locator("#body-preview h2")).to_have_text("Pay")


def test_lists_in_the_preview_and_the_panel_are_not_indented_by_the_admin_s_form(
    live_server, open_as
):
    article = ArticleFactory(body="- one\n- two")
    page = open_as(staff_member("Editors", "edith"))
    page.goto(change_url(live_server, article))
    preview_list = page.locator("#body-preview ul")
    expect(preview_list).to_have_css("margin-left", "0px")
    page.get_by_role("tab", name=re.compile("SEO & readability")).click()
    expect(page.locator("#body-seo .seo-checks").first).to_have_css("margin-left", "0px")


def test_an_article_link_is_picked_by_title_and_follows_the_article(
    live_server, open_as, screenshots
):
    ArticleFactory(title="How much a data scientist earns", slug="data-scientist-pay")
    writer = staff_member("Writers", "wendy")
    draft = ArticleFactory(draft=True, author=writer.author_profile, body="See the pay.")
    page = open_as(writer)
    page.goto(change_url(live_server, draft))
    body = page.locator("#id_body")
    body.click()
    body.evaluate("(field) => field.setSelectionRange(4, 11)")  # "the pay"
    page.get_by_role("button", name="Article link").click()
    picker = page.get_by_role("dialog", name="Link to an article")
    picker.get_by_label("Find a published article by its title").fill("scientist earns")
    choice = picker.get_by_role("button", name=re.compile("How much a data scientist earns"))
    expect(choice).to_be_visible()
    page.screenshot(path=screenshots / "editor-article-link-1366.png")
    choice.click()
    expect(picker).to_be_hidden()
    expect(body).to_have_value("See [the pay](article:data-scientist-pay).")
    expect(page.locator("#body-preview a")).to_have_attribute(
        "href", "/articles/data-scientist-pay/"
    )


def test_the_public_page_shows_the_body_image_as_a_responsive_figure(
    live_server, browser, screenshots
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from articles.services import body_image_upload

    editor = staff_member("Editors", "edith")
    article = ArticleFactory(body="Intro.\n\nEnd.")
    image = body_image_upload(
        article=article,
        by=editor,
        image=SimpleUploadedFile("desk.jpg", image_bytes((1600, 900)), "image/jpeg"),
        alt="A desk by a window",
        credit="Photo: Edith",
    )
    article.body = f'Intro.\n\n![A desk by a window](image:{image.pk} "The corner")\n\nEnd.'
    article.save()
    for width, rendition in ((390, "480w.webp"), (1366, "800w.webp")):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto(f"{live_server.url}{article.get_absolute_url()}")
        picture = page.locator(".article-body figure.body-figure img")
        picture.scroll_into_view_if_needed()
        assert picture.evaluate("img => img.decode().then(() => img.currentSrc)").endswith(
            rendition
        )  # the smallest WebP as wide as the column: the phone's 390 px, the desktop's 736
        expect(page.locator(".article-body figcaption")).to_have_text("The corner Photo: Edith")
        assert_fits_the_window(page)
        page.screenshot(path=screenshots / f"article-body-image-{width}.png")
        context.close()
