"""Change events of the e-services, for apps that react to them (notifications) without coupling."""

from django.dispatch import Signal

# Sent after commit when a request moves to another status: request_id, from_status, to_status, comment.
request_status_changed = Signal()
