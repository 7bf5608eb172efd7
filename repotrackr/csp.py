"""The Content-Security-Policy of every page: our own origin only, no inline script.

django-csp writes the header from ``settings.CONTENT_SECURITY_POLICY``. Two third-party
page sets carry small fixed inline ``<script>``/``<style>`` blocks in their templates:
django-rq's dashboard under ``/admin/rq/`` (the action checkboxes, column widths) and
Swagger UI's page under ``/api/docs/`` (a few layout rules). Rather than allowing inline
code there, the policy of those paths names those blocks by hash, computed from the
installed templates: an upgrade that changes them keeps working, and nothing else inline
runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

from csp.middleware import CSPMiddleware, PolicyParts

INLINE = {
    "script-src": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.I),
    "style-src": re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.I),
}


def inline_hashes(templates: list[Path], directive: str) -> tuple[str, ...]:
    """CSP source expressions (``'sha256-…'``) of the inline blocks ``directive`` governs."""
    hashes = set()
    for template in templates:
        for body in INLINE[directive].findall(template.read_text(encoding="utf-8")):
            if "{{" in body or "{%" in body:
                continue  # rendered per request: no fixed hash to allow
            digest = hashlib.sha256(body.encode()).digest()
            hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return tuple(sorted(hashes))


def _django_rq_templates() -> list[Path]:
    import django_rq

    return sorted((Path(django_rq.__file__).parent / "templates").rglob("*.html"))


def _swagger_templates() -> list[Path]:
    import drf_spectacular

    return [Path(drf_spectacular.__file__).parent / "templates/drf_spectacular/swagger_ui.html"]


THIRD_PARTY_PAGES = {"/admin/rq/": _django_rq_templates, "/api/docs/": _swagger_templates}


@cache
def third_party_hashes(prefix: str) -> dict[str, list[str]]:
    templates = THIRD_PARTY_PAGES[prefix]()
    found = {directive: list(inline_hashes(templates, directive)) for directive in INLINE}
    return {directive: hashes for directive, hashes in found.items() if hashes}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, plus the hashes of the third-party pages' fixed blocks."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        prefix = next((p for p in THIRD_PARTY_PAGES if request.path_info.startswith(p)), None)
        if not report_only and prefix:
            parts.update = {**(parts.update or {}), **third_party_hashes(prefix)}
        return parts
