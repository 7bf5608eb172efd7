"""django-rq's dashboard (``/admin/rq/``), open to queue operators only.

django-rq guards its views with ``staff_member_required``; its actions
(empty a queue, requeue or delete jobs, stop a worker's job) are operator
powers, so each view here also needs ``jobs.manage_queues`` (superusers hold
it). Visitors who are not staff go to the admin's login, as elsewhere in the
admin; staff without the permission get the admin's 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns

MANAGE_QUEUES_PERMISSION = "jobs.manage_queues"


def queue_operator_required(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not user.has_perm(MANAGE_QUEUES_PERMISSION):
            raise PermissionDenied("Managing queues needs the jobs.manage_queues permission.")
        return view(request, *args, **kwargs)

    return guarded


app_name = "django_rq"
urlpatterns = get_api_urlpatterns() + get_admin_urlpatterns(view_wrapper=queue_operator_required)
