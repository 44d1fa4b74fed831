"""Template tags with which the article page shows the discussion under it."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from articles.models import Article
from careers_site.page_cache import add_page_keys, is_public_request

from ..models import comments_open
from ..page_keys import discussion_keys
from ..readers import blank_comment_form, submitted_comment_ids
from ..rendering import threads_html, with_reply_links
from ..selectors import approved_comment_counts, article_discussion, public_discussion

register = template.Library()

COUNT_ATTRIBUTE = "approved_comment_count"


def count_label(count: int) -> str:
    if count == 0:
        return "No comments yet"
    return "1 Comment" if count == 1 else f"{count:,} Comments"


def _is_moderator(user) -> bool:
    return bool(user is not None and user.is_staff and user.has_perm("comments.change_comment"))


def _is_public(context) -> bool:
    """A page shared by every reader (careers_site.page_cache): only approved comments, and no
    form (it carries a per-reader token); the comments' own form page sets `comments_show_form`."""
    request = context.get("request")
    return (
        request is not None and is_public_request(request) and not context.get("comments_show_form")
    )


def _section_context(article: Article, approved_count: int, is_open: bool) -> dict:
    return {
        "article": article,
        "count_label": count_label(approved_count),
        "comments_open": is_open,
        "reply_url": reverse("comments:create", args=[article.slug]),
    }


def _is_open(article: Article) -> bool:
    # A preview of a draft or scheduled article shows no form: readers cannot post there yet.
    return comments_open(article) and article.is_live


def _discussion(context, article: Article):
    """The article's discussion for this request, fetched once for all the page's tags: on a
    shared page the stored threads (one row), on a personal one the comments this reader sees."""
    discussion = getattr(article, "_comments_discussion", None)
    if discussion is None:
        request = context.get("request")
        if _is_public(context):
            discussion = public_discussion(article.pk)
        else:
            discussion = article_discussion(
                article,
                submitted_ids=submitted_comment_ids(request) if request else (),
                is_moderator=_is_moderator(getattr(request, "user", None)),
            )
        article._comments_discussion = discussion
        setattr(article, COUNT_ATTRIBUTE, discussion.approved_count)
        add_page_keys(request, discussion_keys([article.pk]))
    return discussion


@register.simple_tag(takes_context=True)
def comment_section(context, article: Article) -> str:
    """Everything under the article: the count, the threads and the "Leave a Reply" form (on a
    shared page, a link that fetches the form)."""
    request = context.get("request")
    discussion = _discussion(context, article)
    is_open = _is_open(article)
    section = _section_context(article, discussion.approved_count, is_open)
    if _is_public(context):
        threads = with_reply_links(
            discussion.threads_html, comments_open=is_open, reply_url=section["reply_url"]
        )
        # No form, so no token: rendered without the request and its context processors.
        return render_to_string("comments/comment_section.html", {**section, "threads": threads})

    threads = threads_html(discussion, comments_open=is_open, reply_url=section["reply_url"])
    user = getattr(request, "user", None)
    form = context.get("comment_form")
    if form is not None and form.is_bound:
        parent_id = form.data.get(form.add_prefix("parent"))
    else:
        parent_id = request.GET.get("replytocom") if request else None
    try:
        reply_to = discussion.comments.get(int(parent_id)) if parent_id else None
    except (TypeError, ValueError):
        reply_to = None
    if reply_to is not None and not reply_to.is_approved:
        reply_to = None
    if form is None and is_open:
        form = blank_comment_form(request, reply_to=reply_to)
    return render_to_string(
        "comments/comment_section.html",
        {
            **section,
            "threads": threads,
            "form": form,
            "reply_to": reply_to,
            "is_moderator": _is_moderator(user),
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
        _discussion(context, article)
    count = getattr(article, COUNT_ATTRIBUTE, None)
    if count is None:
        return ""  # a card outside a prefetched list: no count rather than a query per card
    if count == 0:
        return ""  # "0 Comments" under every new article says nothing a reader needs
    href = f"{article.get_absolute_url()}#comments" if in_list else "#comments"
    return format_html(
        '<span aria-hidden="true">&middot;</span> '
        '<a class="comment-count text-nowrap" href="{}">{}</a>',
        href,
        count_label(count),
    )


@register.simple_tag(takes_context=True)
def prefetch_comment_counts(context, articles) -> str:
    """Gives each article of a list its approved-comment count, in one query for the list."""
    articles = [article for article in articles if isinstance(article, Article)]
    counts = approved_comment_counts(article.pk for article in articles)
    for article in articles:
        setattr(article, COUNT_ATTRIBUTE, counts.get(article.pk, 0))
    add_page_keys(context.get("request"), discussion_keys(article.pk for article in articles))
    return ""
