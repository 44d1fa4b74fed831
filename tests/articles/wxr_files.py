"""Small WordPress export files, built the way WordPress's Tools > Export writes them."""

from pathlib import Path
from xml.sax.saxutils import escape

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/{v}/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/{v}/">
<channel>
  <title>Old Careers Blog</title>
  <link>https://old.example.com</link>
  <wp:wxr_version>{v}</wp:wxr_version>
  <wp:base_site_url>https://old.example.com</wp:base_site_url>
"""
TAIL = "</channel>\n</rss>\n"


def cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


def author(login="jane", email="jane@example.com", name="Jane Doe", wp_id="1") -> str:
    return f"""<wp:author><wp:author_id>{wp_id}</wp:author_id>
  <wp:author_login>{cdata(login)}</wp:author_login>
  <wp:author_email>{cdata(email)}</wp:author_email>
  <wp:author_display_name>{cdata(name)}</wp:author_display_name></wp:author>
"""


def category(slug: str, name: str, parent: str = "", wp_id: str = "1") -> str:
    return f"""<wp:category><wp:term_id>{wp_id}</wp:term_id>
  <wp:category_nicename>{cdata(slug)}</wp:category_nicename>
  <wp:category_parent>{cdata(parent)}</wp:category_parent>
  <wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>
"""


def tag(slug: str, name: str, wp_id: str = "9") -> str:
    return f"""<wp:tag><wp:term_id>{wp_id}</wp:term_id><wp:tag_slug>{cdata(slug)}</wp:tag_slug>
  <wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>
"""


def comment(
    wp_id: str,
    *,
    parent: str = "0",
    approved: str = "1",
    author: str = "Ann Reader",
    email: str = "ann@example.com",
    url: str = "https://ann.example.com",
    content: str = "Great post!",
    date_gmt: str = "2020-05-05 09:00:00",
    ip: str = "203.0.113.9",
    kind: str = "",
) -> str:
    return f"""<wp:comment><wp:comment_id>{wp_id}</wp:comment_id>
  <wp:comment_author>{cdata(author)}</wp:comment_author>
  <wp:comment_author_email>{cdata(email)}</wp:comment_author_email>
  <wp:comment_author_url>{url}</wp:comment_author_url>
  <wp:comment_author_IP>{ip}</wp:comment_author_IP>
  <wp:comment_date>{date_gmt}</wp:comment_date>
  <wp:comment_date_gmt>{date_gmt}</wp:comment_date_gmt>
  <wp:comment_content>{cdata(content)}</wp:comment_content>
  <wp:comment_approved>{cdata(approved)}</wp:comment_approved>
  <wp:comment_type>{cdata(kind)}</wp:comment_type>
  <wp:comment_parent>{parent}</wp:comment_parent></wp:comment>
"""


def item(
    wp_id: str,
    title: str,
    *,
    slug: str = "",
    post_type: str = "post",
    status: str = "publish",
    content: str = "<p>Hello.</p>",
    excerpt: str = "",
    date_gmt: str = "2020-05-04 10:00:00",
    modified_gmt: str = "2020-06-01 08:00:00",
    creator: str = "jane",
    link: str = "",
    categories: tuple[tuple[str, str], ...] = (("careers", "Careers"),),
    tags: tuple[tuple[str, str], ...] = (),
    meta: dict[str, str] | None = None,
    comments: str = "",
    sticky: bool = False,
    password: str = "",
    attachment_url: str = "",
    comment_status: str = "open",
) -> str:
    terms = "".join(
        f'<category domain="category" nicename="{s}">{cdata(n)}</category>' for s, n in categories
    ) + "".join(
        f'<category domain="post_tag" nicename="{s}">{cdata(n)}</category>' for s, n in tags
    )
    postmeta = "".join(
        f"<wp:postmeta><wp:meta_key>{cdata(k)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(v)}</wp:meta_value></wp:postmeta>"
        for k, v in (meta or {}).items()
    )
    attachment = (
        f"<wp:attachment_url>{attachment_url}</wp:attachment_url>" if attachment_url else ""
    )
    return f"""<item>
  <title>{escape(title)}</title>
  <link>{link or f"https://old.example.com/2020/05/04/{slug}/"}</link>
  <guid isPermaLink="false">https://old.example.com/?p={wp_id}</guid>
  <dc:creator>{cdata(creator)}</dc:creator>
  <content:encoded>{cdata(content)}</content:encoded>
  <excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>
  <wp:post_id>{wp_id}</wp:post_id>
  <wp:post_date>{date_gmt}</wp:post_date>
  <wp:post_date_gmt>{date_gmt if status != "draft" else "0000-00-00 00:00:00"}</wp:post_date_gmt>
  <wp:post_modified_gmt>{modified_gmt}</wp:post_modified_gmt>
  <wp:comment_status>{comment_status}</wp:comment_status>
  <wp:post_name>{cdata(slug)}</wp:post_name>
  <wp:status>{status}</wp:status>
  <wp:post_parent>0</wp:post_parent>
  <wp:post_type>{post_type}</wp:post_type>
  <wp:post_password>{cdata(password)}</wp:post_password>
  <wp:is_sticky>{1 if sticky else 0}</wp:is_sticky>
  {attachment}{terms}{postmeta}{comments}
</item>
"""


def export(*parts: str, version: str = "1.2") -> str:
    return HEAD.format(v=version) + "".join(parts) + TAIL


def write(directory: Path, text: str, name: str = "export.xml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
