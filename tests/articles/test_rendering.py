import pytest

from articles.rendering import render_markdown

HOSTILE = """
## Safe heading

<script>alert("x")</script>

<img src="x.png" onerror="alert(1)" alt="pic">

[click](javascript:alert(1)) and [ok](https://example.com)

<iframe src="https://evil.example"></iframe>

<a href="https://example.com" style="color:red" onclick="steal()">styled</a>
"""


def test_script_never_survives_rendering():
    html = render_markdown(HOSTILE).html
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert "onclick" not in html
    assert "style=" not in html


def test_allowed_markup_is_kept():
    html = render_markdown(HOSTILE).html
    assert '<h2 id="safe-heading">Safe heading</h2>' in html
    assert '<a href="https://example.com" rel="noopener noreferrer">ok</a>' in html
    assert 'alt="pic"' in html


def test_tables_lists_and_code_render():
    source = "| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n\n```\nx = 1\n```\n"
    html = render_markdown(source).html
    assert "<table>" in html
    assert "<li>one</li>" in html
    assert '<pre tabindex="0"><code>x = 1' in html


def test_heading_ids_are_stable_and_unique():
    source = "## Getting started\n\ntext\n\n## Getting started\n\n## Salaries & pay\n"
    first = render_markdown(source)
    second = render_markdown(source)
    ids = [entry["id"] for entry in first.toc]
    assert ids == [entry["id"] for entry in second.toc]
    assert len(set(ids)) == 3
    assert ids[0] == "getting-started"
    assert first.toc[2]["title"] == "Salaries & pay"


@pytest.mark.parametrize("source", ["", "   ", "just text"])
def test_bodies_without_headings_have_an_empty_toc(source):
    assert render_markdown(source).toc == []


def test_word_count_counts_text_not_markup():
    rendered = render_markdown("## Two words\n\n**three more words** [link](https://a.b)")
    assert rendered.word_count == 6


def test_a_table_scrolls_in_its_own_focusable_box_and_code_blocks_take_focus():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nlong line\n```").html

    assert '<div class="table-scroll" tabindex="0" role="region" aria-label="Table"><table>' in html
    assert "</table></div>" in html
    assert '<pre tabindex="0"><code>' in html


def test_an_author_cannot_write_the_scroll_box_attributes_themselves():
    source = '<div tabindex="0" role="region">x</div>\n<pre tabindex="5">y</pre>'
    html = render_markdown(source).html

    assert html == '<div>x</div>\n<pre tabindex="0">y</pre>'
