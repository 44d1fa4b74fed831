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


@dataclass
class ThreadEntry:
    """A comment of a thread as moderators read it: any status, its level in the thread."""

    comment: Comment
    level: int
    is_current: bool

    @property
    def indent(self) -> int:
        """The indentation step (a CSS class): deeper replies than five stay at five."""
        return min(self.level, 5)


def comment_thread(comment: Comment) -> list[ThreadEntry]:
    """The whole thread `comment` belongs to (from the comment on the article it answers down to
    the last reply, every status), in reading order: one query for the article's comments."""
    rows = list(
        Comment.objects.filter(article_id=comment.article_id)
        .only("pk", "parent_id", "author_name", "body", "status", "created_at", "user_id")
        .order_by("created_at", "pk")
    )
    by_id = {row.pk: row for row in rows}
    root = by_id.get(comment.pk, comment)
    while root.parent_id in by_id:
        root = by_id[root.parent_id]
    children: dict[int | None, list[Comment]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    entries: list[ThreadEntry] = []

    def walk(node: Comment, level: int) -> None:
        entries.append(ThreadEntry(node, level, node.pk == comment.pk))
        for child in children.get(node.pk, ()):
            walk(child, level + 1)

    walk(root, 1)
    return entries
