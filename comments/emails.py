"""The e-mails about comments: their text, and the signed one-click unsubscribe link."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Comment, Notification, admin_change_url

UNSUBSCRIBE_SALT = "comments.unsubscribe"


def unsubscribe_token(comment: Comment) -> str:
    return signing.dumps(comment.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def comment_id_from_unsubscribe_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_url(comment: Comment) -> str:
    return settings.SITE_URL + reverse(
        "comments:unsubscribe", kwargs={"token": unsubscribe_token(comment)}
    )


def build_message(notification: Notification) -> EmailMessage:
    comment = notification.comment
    # The reader's own comment carries the unsubscribe: for a reply, that is the parent.
    subscribed = comment.parent if notification.kind == Notification.Kind.REPLY else comment
    context = {
        "comment": comment,
        "article": comment.article,
        "SITE_NAME": settings.SITE_NAME,
        "comment_url": settings.SITE_URL + comment.get_absolute_url(),
        "admin_url": settings.SITE_URL + admin_change_url(comment),
        "unsubscribe_url": unsubscribe_url(subscribed) if subscribed else "",
    }
    template = f"comments/email/{notification.kind}"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    headers = {}
    if notification.kind != Notification.Kind.MODERATION:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    return EmailMessage(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[notification.recipient],
        headers=headers,
    )
