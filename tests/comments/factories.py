import time

import factory

from comments.forms import form_timestamp
from comments.models import Comment, ModerationTerm
from tests.articles.factories import ArticleFactory
from tests.roles import moderators_group  # noqa: F401 - the group the data migration makes


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved comment on a live article; pass `parent=` for a reply in the same thread."""

    class Meta:
        model = Comment

    parent = None
    article = factory.LazyAttribute(lambda o: o.parent.article if o.parent else ArticleFactory())
    depth = factory.LazyAttribute(lambda o: o.parent.depth + 1 if o.parent else 1)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.Sequence(lambda n: f"reader{n}@example.com")
    body = factory.Sequence(lambda n: f"A thoughtful comment, number {n}.")
    status = Comment.Status.APPROVED

    class Params:
        pending = factory.Trait(status=Comment.Status.PENDING)
        spam = factory.Trait(status=Comment.Status.SPAM)
        trash = factory.Trait(status=Comment.Status.TRASH)


class ModerationTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModerationTerm

    term = factory.Sequence(lambda n: f"term{n}")
    action = ModerationTerm.Action.HOLD


def comment_form_data(**overrides) -> dict:
    """What a reader's browser posts, shown long enough ago to pass the speed rule."""
    data = {
        "body": "Thanks, this helped me plan my move into ML.",
        "author_name": "Ada Reader",
        "author_email": "ada@example.com",
        "author_url": "",
        "homepage": "",
        "parent": "",
        "shown_at": form_timestamp(time.time() - 30),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
