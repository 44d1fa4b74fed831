import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from comments.models import Comment, comments_open
from tests.articles.factories import ArticleFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_reply_depth_must_match_having_a_parent_full_clean(article):
    comment = Comment(article=article, author_name="A", body="b", depth=2)
    with pytest.raises(ValidationError, match="Replies sit below level 1"):
        comment.full_clean()


def test_reply_depth_must_match_having_a_parent_direct_insert(article):
    with pytest.raises(IntegrityError):
        Comment.objects.create(article=article, author_name="A", body="b", depth=2)


def test_depth_must_be_positive_direct_insert(article):
    with pytest.raises(IntegrityError):
        Comment.objects.create(article=article, author_name="A", body="b", depth=0)


def test_initials_and_excerpt():
    comment = Comment(author_name="grace brewster hopper", body="word " * 40)
    assert comment.initials == "GB"
    assert comment.excerpt.endswith("…") and len(comment.excerpt) == 80
    assert Comment(author_name="   ").initials == "?"
    assert Comment(author_name="Layla 👩🏽‍💻 Haddad").initials == "LH"
    assert Comment(author_name="👩🏽‍💻").initials == "?"
    assert Comment(author_name="ليلى حداد").initials == "لح"


def test_visible_to_rules(article):
    approved = CommentFactory(article=article)
    held = CommentFactory(article=article, pending=True)
    spam = CommentFactory(article=article, spam=True)
    trash = CommentFactory(article=article, trash=True)

    def visible(**kwargs):
        return set(Comment.objects.visible_to(**kwargs))

    assert visible() == {approved}
    assert visible(submitted_ids=[held.pk, spam.pk, trash.pk]) == {approved, held, spam}
    assert visible(is_moderator=True) == {approved, held}


def test_comments_open_follows_the_article_switch_and_the_age_setting(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    assert comments_open(ArticleFactory())
    assert not comments_open(ArticleFactory(comments_enabled=False))
