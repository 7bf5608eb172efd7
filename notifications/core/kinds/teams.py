"""Microsoft Teams workflow webhook ("When a Teams webhook request is received"): an Adaptive Card."""

from notifications.core.payload import EventMessage

KIND = "teams"
LABEL = "Microsoft Teams"


def render(message: EventMessage) -> dict:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": message.headline, "weight": "Bolder", "wrap": True},
            {"type": "TextBlock", "text": message.summary, "wrap": True},
        ],
        "actions": [
            {"type": "Action.OpenUrl", "title": "Open project", "url": message.project_url}
        ],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }
