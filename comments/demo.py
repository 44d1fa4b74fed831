"""Demo discussions for `manage.py seed_demo`: a few approved threads under the live articles."""

from datetime import timedelta

from django.utils.text import slugify

from articles.models import Article

from .models import Comment

# (name, website, text, replies): each reply is the same shape, so threads nest.
DEMO_THREADS = [
    (
        "Priya Raman",
        "",
        "I moved from backend engineering to ML last year. The part about owning the whole "
        "pipeline matches my experience: most of my week is data quality and deployment, not "
        "model architecture.",
        [
            (
                "Tomás Ortega",
                "https://example.com/tomas",
                "Same here. Did you find that your interviews still focused on modelling "
                "questions, though?",
                [
                    (
                        "Priya Raman",
                        "",
                        "Half and half. The system design round was the one that decided it.",
                        [],
                    )
                ],
            )
        ],
    ),
    (
        "Amara Okafor",
        "",
        "Useful overview. I would add: learn to read papers slowly, one section a day, and "
        "reproduce a single figure. It taught me more than any course.",
        [],
    ),
]
ARTICLES_WITH_THREADS = 3


def seed_demo_comments(sender=None, stdout=None, **kwargs) -> int:
    """Adds the demo threads to the newest live articles, unless they have comments already."""
    created = 0
    for article in Article.objects.published()[:ARTICLES_WITH_THREADS]:
        if article.comments.exists():
            continue
        start = article.published_at + timedelta(hours=3)
        for index, thread in enumerate(DEMO_THREADS):
            created += _create(article, thread, parent=None, at=start + timedelta(hours=index * 5))
    if stdout is not None and created:
        stdout.write(f"Demo comments: {created} added.")
    return created


def _create(article: Article, thread, *, parent: Comment | None, at) -> int:
    name, website, text, replies = thread
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        author_name=name,
        author_email=f"{slugify(name.split()[0])}@example.com",
        author_url=website,
        body=text,
        status=Comment.Status.APPROVED,
        moderation_reasons=["Demo content."],
        created_at=at,
    )
    return 1 + sum(
        _create(article, reply, parent=comment, at=at + timedelta(hours=1 + offset))
        for offset, reply in enumerate(replies)
    )
