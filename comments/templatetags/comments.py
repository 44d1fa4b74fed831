"""Template tags with which the article page shows the discussion under it."""

import re

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html, linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

from ..forms import CommentForm
from ..models import comments_open
from ..readers import remembered_author, submitted_comment_ids
from ..selectors import approved_comment_counts, article_discussion

register = template.Library()

COUNT_ATTRIBUTE = "approved_comment_count"


def count_label(count: int) -> str:
    return "1 Comment" if count == 1 else f"{count:,} Comments"


def _is_moderator(user) -> bool:
    return bool(user is not None and user.is_staff and user.has_perm("comments.change_comment"))


def _discussion(request, article: Article):
    """The article's discussion for this request, fetched once for all the page's tags."""
    discussion = getattr(article, "_comments_discussion", None)
    if discussion is None:
        discussion = article_discussion(
            article,
            submitted_ids=submitted_comment_ids(request) if request else (),
            is_moderator=_is_moderator(getattr(request, "user", None)),
        )
        article._comments_discussion = discussion
        setattr(article, COUNT_ATTRIBUTE, discussion.approved_count)
    return discussion


@register.simple_tag(takes_context=True)
def comment_section(context, article: Article) -> str:
    """Everything under the article: the count, the threads and the "Leave a Reply" form."""
    request = context.get("request")
    user = getattr(request, "user", None)
    is_moderator = _is_moderator(user)
    discussion = _discussion(request, article)
    # A preview of a draft or scheduled article shows no form: readers cannot post there yet.
    is_open = comments_open(article) and article.is_live

    form = context.get("comment_form")
    if form is None and is_open:
        initial = remembered_author(request) if request else {}
        if initial:
            initial["remember"] = True
        form = CommentForm(initial=initial, user=user)
    reply_to = None
    if form is not None:
        if form.is_bound:
            parent_id = form.data.get(form.add_prefix("parent"))
        else:
            parent_id = request.GET.get("replytocom") if request else None
        try:
            reply_to = discussion.comments.get(int(parent_id)) if parent_id else None
        except (TypeError, ValueError):
            reply_to = None
        if reply_to is not None and not reply_to.is_approved:
            reply_to = None
        if reply_to is not None and not form.is_bound:
            form.initial["parent"] = reply_to.pk

    return render_to_string(
        "comments/comment_section.html",
        {
            "article": article,
            "discussion": discussion,
            "count_label": count_label(discussion.approved_count),
            "comments_open": is_open,
            "form": form,
            "reply_to": reply_to,
            "is_moderator": is_moderator,
            "user": user,
        },
        request=request,
    )


@register.simple_tag(takes_context=True)
def comment_count_link(context, article: Article, in_list: bool = False) -> str:
    """ "3 Comments", linking to the discussion: in the article header, or on a card in a list.

    In a list, the count comes from `prefetch_comment_counts` (one query for the list); a card
    whose list was not prefetched shows no count rather than cost a query.
    """
    if not in_list:
        _discussion(context.get("request"), article)
    count = getattr(article, COUNT_ATTRIBUTE, None)
    if count is None:
        return ""  # a card outside a prefetched list: no count rather than a query per card
    href = f"{article.get_absolute_url()}#comments" if in_list else "#comments"
    return format_html(
        '<span aria-hidden="true">·</span> <a class="comment-count text-nowrap" href="{}">{}</a>',
        href,
        count_label(count),
    )


@register.simple_tag
def prefetch_comment_counts(articles) -> str:
    """Gives each article of a list its approved-comment count, in one query for the list."""
    articles = [article for article in articles if isinstance(article, Article)]
    counts = approved_comment_counts(article.pk for article in articles)
    for article in articles:
        setattr(article, COUNT_ATTRIBUTE, counts.get(article.pk, 0))
    return ""


NOFOLLOW = re.compile(r'rel="nofollow"')


@register.filter
def comment_text(body: str) -> SafeString:
    """Plain text as HTML: escaped, paragraphs and line breaks kept, addresses made links."""
    linked = urlize(body, trim_url_limit=60, nofollow=True, autoescape=True)
    linked = NOFOLLOW.sub('rel="nofollow ugc"', linked)
    return mark_safe(linebreaks(linked))  # noqa: S308 - urlize escaped every user-written byte


@register.filter
def is_web_address(url: str) -> bool:
    return str(url).lower().startswith(("http://", "https://"))
