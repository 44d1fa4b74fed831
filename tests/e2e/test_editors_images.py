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
