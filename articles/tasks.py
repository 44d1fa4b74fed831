import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

RETRY_SECONDS = 300
MAX_ATTEMPTS = 5


@task()
def send_editorial_notice(kind: str, article_id: int, recipients: list[str], attempt: int = 1):
    """Send one e-mail of the editorial workflow; when the mail server fails, try again later
    (where the task backend can schedule), five times at most."""
    from .emails import build_notice
    from .models import Article

    article = Article.objects.select_related("author").filter(pk=article_id).first()
    if article is None:
        return None
    try:
        build_notice(kind, article, recipients).send(fail_silently=False)
    except Exception:
        backend = send_editorial_notice.get_backend()
        if attempt >= MAX_ATTEMPTS or not backend.supports_defer:
            logger.exception("The %s e-mail of article %s was not sent", kind, article_id)
            return "failed"
        logger.warning("The %s e-mail of article %s failed; retrying", kind, article_id)
        send_editorial_notice.using(
            run_after=timezone.now() + timedelta(seconds=RETRY_SECONDS * attempt)
        ).enqueue(kind=kind, article_id=article_id, recipients=recipients, attempt=attempt + 1)
        return "retrying"
    return "sent"
