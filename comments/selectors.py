from dataclasses import dataclass, field

from django.db.models import Count

from articles.models import Article

from .models import Comment, Discussion
from .rendering import joined_threads


@dataclass(slots=True)
class ShownComment:
    """What a page shows of a comment: its stored HTML and what goes around it."""

    pk: int
    parent_id: int | None
    status: str
    author_name: str
    html: str

    @property
    def is_approved(self) -> bool:
        return self.status == Comment.Status.APPROVED


@dataclass
class ThreadNode:
    comment: ShownComment
    level: int = 1
    children: list["ThreadNode"] = field(default_factory=list)


@dataclass
class VisibleDiscussion:
    threads: list[ThreadNode]
    comments: dict[int, ShownComment]
    approved_count: int
    own_ids: frozenset[int] = frozenset()


def article_discussion(
    article: Article | int, *, submitted_ids=(), is_moderator: bool = False
) -> VisibleDiscussion:
    """The comments a reader may see under an article, as threads, oldest first: one query.

    Only what the page shows is loaded (the stored HTML, the name for the Reply link): the
    e-mail and the client hash are not, so no page can show them.
    """
    comments = [
        ShownComment(*row)
        for row in Comment.objects.filter(article=article)
        .visible_to(submitted_ids=submitted_ids, is_moderator=is_moderator)
        .order_by("created_at", "pk")
        .values_list("pk", "parent_id", "status", "author_name", "html")
    ]
    nodes = {comment.pk: ThreadNode(comment) for comment in comments}
    threads = []
    for comment in comments:
        node = nodes[comment.pk]
        parent = nodes.get(comment.parent_id)
        if parent is None:
            # A comment on the article, or a reply whose parent is hidden: shown at the top.
            threads.append(node)
        else:
            node.level = parent.level + 1
            parent.children.append(node)
    approved = sum(1 for comment in comments if comment.status == Comment.Status.APPROVED)
    return VisibleDiscussion(
        threads=threads,
        comments={comment.pk: comment for comment in comments},
        approved_count=approved,
        own_ids=frozenset(submitted_ids),
    )


@dataclass(slots=True)
class PublicDiscussion:
    """What every reader sees of a discussion: the joined threads (with `REPLY_URL_MARK`)."""

    threads_html: str
    approved_count: int


def public_discussion(article_id: int) -> PublicDiscussion:
    """The stored discussion (one row); joined here from the comments if it was never stored."""
    stored = (
        Discussion.objects.filter(article_id=article_id)
        .values_list("threads_html", "approved_count")
        .first()
    )
    if stored is not None:
        return PublicDiscussion(*stored)
    visible = article_discussion(article_id)
    return PublicDiscussion(joined_threads(visible), visible.approved_count)


def approved_comment_counts(article_ids) -> dict[int, int]:
    rows = (
        Comment.objects.approved()
        .filter(article_id__in=list(article_ids))
        .values("article_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["article_id"]: row["count"] for row in rows}
