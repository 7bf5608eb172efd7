"""Pure notification logic: events, payloads, signatures, target URLs, pinned HTTP."""
