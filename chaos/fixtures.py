"""What the scenarios need besides the demo content, made inside Django and printed as JSON:
a moderator (told about held comments), readers who asked to hear of replies to their comments, and
a known author whose replies are approved at once (so that each reply e-mails its parent's writer).

`python -m chaos.fixtures REPLIES` with the site's environment.
"""

import json
import os
import sys


def main(replies: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careers_site.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from articles.models import Article
    from comments.models import Comment

    moderator, _ = get_user_model().objects.update_or_create(
        username="chaos-moderator",
        defaults={"email": "moderators@chaos.example", "is_staff": True, "is_active": True},
    )
    moderator.groups.add(Group.objects.get(name="Moderators"))

    article = Article.objects.published().order_by("-published_at").first()
    known = "known-author@chaos.example"
    Comment.objects.get_or_create(
        article=article,
        author_email=known,
        defaults={
            "author_name": "Known Author",
            "body": "An earlier approved comment: later ones are approved at once.",
            "status": Comment.Status.APPROVED,
            "depth": 1,
        },
    )
    parents = []
    for number in range(replies):
        email = f"subscriber-{number}@chaos.example"
        parent, _ = Comment.objects.get_or_create(
            article=article,
            author_email=email,
            defaults={
                "author_name": f"Subscriber {number}",
                "body": f"Subscriber {number} would like to hear about replies.",
                "status": Comment.Status.APPROVED,
                "notify_replies": True,
                "depth": 1,
            },
        )
        parents.append({"id": parent.pk, "email": email})
    return {
        "slug": article.slug,
        "title": article.title,
        "moderator_email": moderator.email,
        "known_author_email": known,
        "parents": parents,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
