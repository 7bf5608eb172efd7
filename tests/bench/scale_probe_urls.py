"""The site's URLs plus the scale benchmark's floor, ``/bench/probe``.

The scale benchmark serves requests through this URLconf (``ROOT_URLCONF``
set for its process only), so the probe exists nowhere else. The probe does
exactly one ``SELECT 1`` and one Redis ``PING``: the least a page that reads
the database and the queue can do, behind the same middleware as every page.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from repotrackr import urls as site_urls
from repotrackr.redis_connection import get_redis


def probe(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    get_redis().ping()
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/probe", probe), *site_urls.urlpatterns]
handler404 = site_urls.handler404
handler500 = site_urls.handler500
