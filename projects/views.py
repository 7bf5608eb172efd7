"""Project pages. The full dashboard and project page build on these."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.selectors import project_list_for_user


@login_required
def dashboard(request):
    projects = project_list_for_user(user=request.user).order_by("name")
    return render(request, "projects/dashboard.html", {"projects": projects})
