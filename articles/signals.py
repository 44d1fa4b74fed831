from django.dispatch import Signal

# Sent by `manage.py seed_demo` once the demo articles exist, so that apps built on articles
# (comments, leads) can add their own demo content without articles knowing them.
# Receivers get `stdout` (the command's output stream).
demo_content_seeded = Signal()

# Sent by `services.article_view_record` when a view is counted, inside its transaction, with
# `article_id` and `at` (the time), for apps that count views by day (the leads' attribution).
article_view_counted = Signal()
