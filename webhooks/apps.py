from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from jobs.signals import retention_prune
        from webhooks.services import webhook_deliveries_prune

        def prune_deliveries(sender, *, now, **kwargs):
            return "webhook_deliveries", webhook_deliveries_prune(now=now)

        retention_prune.connect(prune_deliveries, weak=False, dispatch_uid="webhooks.prune")
