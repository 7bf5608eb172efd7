"""Generic webhook: the documented payload, signed."""

from notifications.core.payload import EventMessage, webhook_payload

KIND = "webhook"
LABEL = "Webhook"


def render(message: EventMessage) -> dict:
    return webhook_payload(message)
