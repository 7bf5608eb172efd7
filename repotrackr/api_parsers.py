"""The API's request parsers: DRF's, with deeply nested JSON refused as a 400.

``json`` raises ``RecursionError`` (not ``ValueError``) for a body nested a
few thousand levels deep; DRF's parser only turns ``ValueError`` into a
400, so such a body was a 500.
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply") from None
