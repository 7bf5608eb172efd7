"""One module per channel kind; each turns an ``EventMessage`` into what it sends.

HTTP kinds expose ``render(message) -> dict`` (the JSON body); email exposes
``render(message, *, unsubscribe_url) -> EmailText``.
"""

from notifications.core.kinds import discord, email, slack, teams, webhook

HTTP_KINDS = {m.KIND: m for m in (webhook, slack, discord, teams)}
EMAIL_KIND = email.KIND
KINDS = (email.KIND, *HTTP_KINDS)
LABELS = {email.KIND: email.LABEL, **{k: m.LABEL for k, m in HTTP_KINDS.items()}}
