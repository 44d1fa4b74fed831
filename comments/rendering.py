"""A comment's HTML, made once when it is saved (kept in `Comment.html`), and the threads put
together from those pieces with string joins: no template runs per comment on any page.

The stored piece is what never depends on the reader: the avatar, the name (linked to the
writer's website), the date and the text. What does (the "awaiting moderation" notice) is added
around it for a page that shows held comments. The piece names the comment's id by `ID_MARK`, put
in when the threads are joined, so that it is made before the row is inserted (no second write).

The threads every reader sees are joined once more when one of the article's comments changes
(`Discussion.threads_html`, comments/services.py). They carry a Reply link on each comment with
`REPLY_URL_MARK` for the address of the comment form (which follows the article's slug); a page
puts the address in, or takes the links out when comments are closed (`with_reply_links`).
No mark can come from a reader, whose every `<` is escaped.
"""

import re

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import escape, format_html, linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

NOFOLLOW = re.compile(r'rel="nofollow"')
ID_MARK = "<!--id-->"
REPLY_URL_MARK = "<!--reply-url-->"
REPLY_LINK = re.compile(r'<a class="comment-reply-link" href="' + REPLY_URL_MARK + r".*?</a>")


def initials(name: str) -> str:
    letters = [word[0] for word in name.split() if word[0].isalnum()]
    return "".join(letters[:2]).upper() or "?"


def avatar_tone(name: str) -> int:
    """One of 8 background tones, stable for a name (a CSS class, never an inline style)."""
    return sum(map(ord, name)) % 8


def is_web_address(url: str) -> bool:
    return str(url).lower().startswith(("http://", "https://"))


def comment_text(body: str) -> SafeString:
    """Plain text as HTML: escaped, paragraphs and line breaks kept, addresses made links."""
    linked = urlize(body, trim_url_limit=60, nofollow=True, autoescape=True)
    linked = NOFOLLOW.sub('rel="nofollow ugc"', linked)
    return mark_safe(linebreaks(linked))  # noqa: S308 - urlize escaped every user-written byte


def comment_html(comment) -> str:
    """The comment's header and text, escaped; the date in the site's time zone."""
    created = timezone.localtime(comment.created_at).replace(microsecond=0)
    if is_web_address(comment.author_url):
        link = '<a href="{}" rel="nofollow ugc noopener">{}</a>'
        name = format_html(link, comment.author_url, comment.author_name)
    else:
        name = escape(comment.author_name)
    return format_html(
        '<header class="comment-meta">'
        '<span class="comment-avatar comment-avatar-{tone}" aria-hidden="true">{initials}</span>'
        '<div class="comment-meta-text">'
        '<span class="comment-author" id="comment-{pk}-author" dir="auto">{name}</span>'
        '<a class="comment-permalink" href="#comment-{pk}">'
        '<time datetime="{iso}">{shown}</time></a></div></header>'
        '<div class="comment-content" dir="auto">{text}</div>',
        tone=avatar_tone(comment.author_name),
        initials=initials(comment.author_name),
        pk=mark_safe(ID_MARK),  # noqa: S308 - a constant of ours
        name=name,
        iso=created.isoformat(),
        shown=format_date(created, r"F j, Y \a\t H:i"),
        text=comment_text(comment.body),
    )


def threads_html(discussion, *, comments_open: bool, reply_url: str) -> SafeString:
    """The discussion's threads as one `<ol class="comment-list">`, built without recursion."""
    return with_reply_links(
        joined_threads(discussion), comments_open=comments_open, reply_url=reply_url
    )


def with_reply_links(threads: str, *, comments_open: bool, reply_url: str) -> SafeString:
    """Joined threads as a page shows them: Reply links to `reply_url`, or none when closed."""
    if comments_open:
        return mark_safe(threads.replace(REPLY_URL_MARK, escape(reply_url)))  # noqa: S308
    return mark_safe(REPLY_LINK.sub("", threads))  # noqa: S308 - escaped where it was made


def joined_threads(discussion) -> str:
    """The threads with a Reply link (to `REPLY_URL_MARK`) on every approved comment."""
    if not discussion.threads:
        return ""
    parts = ['<ol class="comment-list">']
    # Each entry: a node to open, or the closing tags of one whose children are done.
    stack: list = list(reversed(discussion.threads))
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        parts.append(_opening(node, discussion))
        if node.children:
            parts.append('<ol class="children">')
            stack.append("</ol></li>")
            stack.extend(reversed(node.children))
        else:
            parts.append("</li>")
    parts.append("</ol>")
    return "".join(parts)


# What the writer of a held comment reads where the post took them: plainly, what happened.
OWN_HELD_NOTICE = (
    '<p class="comment-awaiting-moderation" role="status">Thank you: your comment was received '
    "and is awaiting moderation. Other readers will see it once a moderator approves it.</p>"
)


def _opening(node, discussion) -> str:
    comment = node.comment
    pk = str(comment.pk)
    html = comment.html.replace(ID_MARK, pk)
    if comment.is_approved:
        held = ""
        name = escape(comment.author_name)
        html += (
            f'<a class="comment-reply-link" href="{REPLY_URL_MARK}?replytocom={pk}#respond" '
            f'data-reply-to="{pk}" data-reply-name="{name}" rel="nofollow" '
            f'aria-label="Reply to {name}">Reply</a>'
        )
    else:
        held = " comment-held"
        if comment.pk in discussion.own_ids:
            notice = OWN_HELD_NOTICE
        else:
            notice = format_html(
                '<p class="comment-awaiting-moderation">Awaiting moderation. '
                '<a href="{}">Moderate</a></p>',
                reverse("admin:comments_comment_change", args=[comment.pk]),
            )
        html = html.replace("</header>", "</header>" + notice, 1)
    return (
        f'<li id="comment-{pk}" class="comment depth-{node.level}{held}">'
        f'<article class="comment-body" aria-labelledby="comment-{pk}-author">{html}</article>'
    )


def render_stored_html(comments) -> list:
    """Fill `html` on comments made without `save()` (bulk inserts, updates): returns them."""
    for comment in comments:
        comment.html = comment_html(comment)
    return comments
