"""Email: a subject and a plain-text body that ends with the unsubscribe link."""

from dataclasses import dataclass

from notifications.core.payload import EventMessage

KIND = "email"
LABEL = "Email"


@dataclass(frozen=True)
class EmailText:
    subject: str
    body: str


def render(message: EventMessage, *, unsubscribe_url: str) -> EmailText:
    lines = [message.headline, "", message.summary, "", f"Open the project: {message.project_url}"]
    return EmailText(
        subject=f"[RepoTrackr] {message.headline}"[:200],
        body="\n".join([*lines, "", "--", f"Stop these emails: {unsubscribe_url}", ""]),
    )
