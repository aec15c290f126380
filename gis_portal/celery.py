"""Celery application: `celery -A gis_portal worker` (imagery jobs run on their own queue)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")

app = Celery("gis_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
