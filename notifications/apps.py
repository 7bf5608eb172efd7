from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from jobs.signals import refresh_finished, retention_prune
        from notifications.services import deliveries_prune, refresh_outcome_announce

        def prune_deliveries(sender, *, now, **kwargs):
            return "notification_deliveries", deliveries_prune(now=now)

        retention_prune.connect(prune_deliveries, weak=False, dispatch_uid="notifications.prune")
        refresh_finished.connect(
            refresh_outcome_announce, weak=False, dispatch_uid="notifications.announce"
        )
