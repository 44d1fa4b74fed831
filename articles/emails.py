"""The e-mails of the editorial workflow: to the editors when an article waits for review, to the
writer when it was sent back or published."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Article


def build_notice(kind: str, article: Article, recipients: list[str]) -> EmailMessage:
    context = {
        "article": article,
        "SITE_NAME": settings.SITE_NAME,
        "admin_url": settings.SITE_URL
        + reverse("admin:articles_article_change", args=[article.pk]),
        "article_url": settings.SITE_URL + article.get_absolute_url(),
    }
    template = f"articles/email/{kind}"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    return EmailMessage(
        subject=subject, body=render_to_string(f"{template}.txt", context), to=recipients
    )
