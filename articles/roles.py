"""Who may do what with articles, from real permissions (the Writers and Editors groups hold them):
editors hold `publish_article` and act on any article; writers hold `change_article` without it
and act on their own drafts only (an article is theirs when its author is their staff account)."""

from django.db.models import QuerySet

from .models import Article

PUBLISH_PERMISSION = "articles.publish_article"


def may_publish(user) -> bool:
    """Review, send back, schedule, publish and unpublish any article."""
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def is_writer_only(user) -> bool:
    """Writes without publishing: sees and edits only their own articles."""
    return user.has_perm("articles.change_article") and not may_publish(user)


def is_own(user, article: Article) -> bool:
    return article.author_id is not None and article.author.user_id == user.pk


def may_edit(user, article: Article) -> bool:
    if not user.has_perm("articles.change_article"):
        return False
    if may_publish(user):
        return True
    return is_own(user, article) and article.status == Article.Status.DRAFT


def may_submit(user, article: Article) -> bool:
    return article.status == Article.Status.DRAFT and may_edit(user, article)


def articles_visible_to(user, articles: QuerySet[Article]) -> QuerySet[Article]:
    if is_writer_only(user):
        return articles.filter(author__user=user)
    return articles
