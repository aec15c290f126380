"""Celery application: `celery -A gis_portal worker` (imagery jobs run on their own queue).

Every worker writes a heartbeat per queue it consumes (gis_portal/workers.py), so pages that queue
work can say when no worker is running.
"""

import os

from celery import Celery

from gis_portal.workers import HeartbeatStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")

app = Celery("gis_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["worker"].add(HeartbeatStep)
