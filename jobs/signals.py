"""Signals other apps listen to without ``jobs`` importing them."""

from django.dispatch import Signal

# Sent by the daily prune with ``now``; a receiver deletes its own expired rows
# and returns ``(name, count)`` for the prune report.
retention_prune = Signal()
