"""Change events of the health app, for apps that react to them (notifications) without coupling."""

from django.dispatch import Signal

# Sent after commit when a village passes a larval index threshold: alert (a VillageAlert).
village_threshold_passed = Signal()
