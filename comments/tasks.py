from django.utils import timezone
from django_tasks import task


@task()
def send_comment_notification(notification_id: int) -> str | None:
    """Send one comment e-mail; when the mail server fails, try again later.

    The notification row stays pending on failure, so `manage.py send_comment_notifications`
    (run from cron) sends it even where the task backend cannot schedule a retry itself.
    """
    from .models import Notification
    from .services import notification_send, retry_delay

    notification = notification_send(notification_id=notification_id)
    if notification is None:
        return None
    backend = send_comment_notification.get_backend()
    if notification.status == Notification.Status.PENDING and backend.supports_defer:
        send_comment_notification.using(
            run_after=timezone.now() + retry_delay(notification.attempts)
        ).enqueue(notification_id=notification_id)
    return notification.status
