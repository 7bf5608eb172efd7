"""Discord incoming webhook: one embed, coloured by status, no mentions."""

from notifications.core.payload import EventMessage

KIND = "discord"
LABEL = "Discord"

_COLOURS = {"green": 0x2DA44E, "yellow": 0xBF8700, "red": 0xCF222E, "complete": 0x8250DF}


def render(message: EventMessage) -> dict:
    return {
        "username": "RepoTrackr",
        # Project names come from users: never let them ping @everyone.
        "allowed_mentions": {"parse": []},
        "embeds": [
            {
                "title": message.headline[:256],
                "url": message.project_url,
                "description": message.summary[:4096],
                "color": _COLOURS.get(message.current.status, 0x6E7781),
            }
        ],
    }
