"""``manage.py rqscheduler``: register RepoTrackr's periodic jobs, then run django-rq's scheduler.

Shadows django-rq's command (``jobs`` is listed before ``django_rq`` in
INSTALLED_APPS). The check interval defaults to ``RQ_SCHEDULER_INTERVAL``
so reconciliation can run every ``JOB_RECONCILE_INTERVAL`` seconds.
"""

from __future__ import annotations

from django.conf import settings
from django_rq import get_scheduler
from django_rq.management.commands import rqscheduler

from jobs.scheduling import periodic_jobs_register


class Command(rqscheduler.Command):
    help = "Register RepoTrackr's periodic jobs and run the RQ scheduler."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(interval=settings.RQ_SCHEDULER_INTERVAL)
        parser.add_argument(
            "--register-only",
            action="store_true",
            help="Register the periodic jobs and exit without running the scheduler.",
        )

    def handle(self, *args, **options):
        scheduler = get_scheduler(name=options["queue"], interval=options["interval"])
        ids = periodic_jobs_register(scheduler)
        self.stdout.write(f"Registered periodic jobs: {', '.join(ids)}")
        if options.get("register_only"):
            return
        super().handle(*args, **options)
