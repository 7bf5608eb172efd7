"""Slack incoming webhook: mrkdwn text with a link to the project."""

from notifications.core.payload import EventMessage


def _escape(text: str) -> str:
    # Slack's mrkdwn treats these three as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


KIND = "slack"
LABEL = "Slack"


def render(message: EventMessage) -> dict:
    link = f"<{message.project_url}|{_escape(message.project_name)}>"
    headline = _escape(message.headline).replace(_escape(message.project_name), link, 1)
    return {"text": f"*{headline}*\n{_escape(message.summary)}"}
