"""Strip Unicode bidirectional control characters from every HTML page.

Repository text (task titles, file names, evidence) and user text (project names) can
carry bidi overrides that make a page show something other than what it holds
("Trojan Source"). Our templates never contain them, so removing them from the
rendered HTML is safe and covers every page, the admin included. JSON answers are data
and keep the text as stored.
"""

from __future__ import annotations

import re

# In UTF-8: LRE, RLE, PDF, LRO, RLO (U+202A-E); LRI, RLI, FSI, PDI (U+2066-9); the
# Arabic letter mark (U+061C). A lead byte never occurs inside another character, so a
# match always starts at a character boundary.
BIDI_CONTROLS = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c")


def strip_bidi_controls(html: bytes) -> bytes:
    return BIDI_CONTROLS.sub(b"", html)


class BidiControlStripMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not response.streaming:
            response.content = strip_bidi_controls(response.content)
        return response
