"""Production-like settings for the resident page benchmark: DEBUG off, plain static URLs, CPU timing.

The project's DEBUG-off storage (WhiteNoise's manifest) needs ``collectstatic``, which is not what
is measured here; the page only builds static URLs, so plain storage gives the same request work.
A first middleware reports the worker thread's CPU time per request in a ``Server-Timing`` header:
on a machine shared with other jobs, CPU time shows the request's own work, wall time does not.
"""

import time

from gis_portal.settings import *  # noqa: F403

DEBUG = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405


class CpuTimingMiddleware:
    def __init__(self, get_response):  # noqa: ANN001
        self.get_response = get_response

    def __call__(self, request):  # noqa: ANN001, ANN204
        cpu0, wall0 = time.thread_time(), time.perf_counter()
        response = self.get_response(request)
        cpu = (time.thread_time() - cpu0) * 1000
        wall = (time.perf_counter() - wall0) * 1000
        response["Server-Timing"] = f"cpu;dur={cpu:.2f}, app;dur={wall:.2f}"
        return response


MIDDLEWARE = ["benchmarks.resident_page_settings.CpuTimingMiddleware", *MIDDLEWARE]  # noqa: F405
