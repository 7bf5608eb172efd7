"""Writes for webhooks: the per-project secret, receiving deliveries, the log's retention.

A delivery goes through ``webhook_delivery_receive`` whether it came over
HTTP or from the page's "send test delivery" button, so both take exactly
the same checks.
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TypedDict

from django.conf import settings
from django.db import IntegrityError, transaction

from jobs import tracker
from jobs.models import JobRecord, JobStatus, JobType
from jobs.ratelimit import (
    WEBHOOK_DELIVERY,
    WEBHOOK_REFUSED_LOG,
    RateLimiter,
    RateLimitUnavailableError,
)
from jobs.refresh_requests import Outcome, RequestTrigger, project_refresh_request
from jobs.services import QueueUnavailableError
from projects.core.secret_box import TokenDecryptError, decrypt_token, encrypt_token
from projects.models import Project
from webhooks import providers
from webhooks.models import (
    DeliveryVerdict,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookProvider,
)
from webhooks.providers import EventKind, PushReading, github
from webhooks.selectors import webhook_endpoint_for_delivery

logger = logging.getLogger(__name__)

SECRET_BYTES = 32
NOT_FOUND = "not_found"


@dataclass(frozen=True)
class DeliveryOutcome:
    """The answer to one delivery: HTTP status, verdict, why, and the job it led to."""

    status: int
    verdict: str
    reason: str = ""
    job_id: str | None = None
    retry_after: int = 0

    def body(self) -> dict:
        """The JSON body the endpoint answers with (same keys for every refusal)."""
        data = {"verdict": self.verdict, "reason": self.reason}
        if self.job_id is not None:
            data["job_id"] = self.job_id
        return data


# -- the secret ---------------------------------------------------------------------


def _new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def _seal(secret: str) -> str:
    return encrypt_token(secret, settings.REPOTRACKR_TOKEN_KEY)


def webhook_secret_reveal(*, endpoint: WebhookEndpoint) -> str:
    """The endpoint's plain secret, for checking signatures (never for display).

    Raises ``TokenDecryptError`` when the encryption key changed since.
    """
    return decrypt_token(endpoint.secret_encrypted, settings.REPOTRACKR_TOKEN_KEY)


def webhook_endpoint_get_or_create(*, project: Project) -> tuple[WebhookEndpoint, str | None]:
    """The project's endpoint, creating it with a fresh secret when it has none.

    Returns ``(endpoint, secret)``: ``secret`` is the new plain secret when
    this call created it (to show once), else ``None``. Two concurrent calls
    create one endpoint; the loser gets ``None``.
    """
    existing = WebhookEndpoint.objects.filter(project=project).first()
    if existing is not None:
        return existing, None
    secret = _new_secret()
    endpoint = WebhookEndpoint(project=project, secret_encrypted=_seal(secret))
    try:
        with transaction.atomic():
            endpoint.save(force_insert=True)
    except IntegrityError:
        return WebhookEndpoint.objects.get(project=project), None
    return endpoint, secret


def webhook_secret_rotate(*, project: Project, now: datetime) -> str:
    """Replace the project's secret (creating the endpoint if needed); returns it, once.

    Deliveries signed with the old secret are refused from this moment.
    """
    endpoint, created_secret = webhook_endpoint_get_or_create(project=project)
    if created_secret is not None:
        return created_secret
    secret = _new_secret()
    endpoint.secret_encrypted = _seal(secret)
    endpoint.rotated_at = now
    endpoint.save(update_fields=["secret_encrypted", "rotated_at"])
    return secret


# -- receiving -------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _dummy_sealed_secret(key: str) -> str:
    """A sealed secret no project has, opened for unknown projects to spend the same work."""
    return encrypt_token(_new_secret(), key)


def _check_signature(provider, *, body: bytes, secret: str, headers: Mapping[str, str]) -> bool:
    # Without a recognised provider, still run an HMAC so the refusal costs the same.
    module = provider or github
    return (
        module.signature_valid(body=body, secret=secret, headers=headers) and provider is not None
    )


def _refused_not_found(project_id, body: bytes, headers: Mapping[str, str]) -> DeliveryOutcome:
    """Unknown or archived project: do a bad signature's work, then answer 404."""
    sealed = _dummy_sealed_secret(settings.REPOTRACKR_TOKEN_KEY)
    secret = decrypt_token(sealed, settings.REPOTRACKR_TOKEN_KEY)
    _check_signature(providers.provider_for(headers), body=body, secret=secret, headers=headers)
    try:
        RateLimiter(WEBHOOK_REFUSED_LOG).increment(project_id)
    except RateLimitUnavailableError:
        pass
    return DeliveryOutcome(404, NOT_FOUND, "No webhook endpoint here.")


class _LogFields(TypedDict):
    """What every delivery log row of one request shares."""

    project: Project
    provider: str
    event: str
    delivery_id: str
    now: datetime


def _log(
    *,
    project,
    provider: str,
    event: str,
    delivery_id: str,
    now: datetime,
    outcome: DeliveryOutcome,
    **extra,
) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        project=project,
        provider=provider,
        event=event,
        delivery_id=delivery_id,
        received_at=now,
        verdict=outcome.verdict,
        http_status=outcome.status,
        reason=outcome.reason[:300],
        **extra,
    )


def webhook_delivery_receive(
    *, project_id, body: bytes, headers: Mapping[str, str], now: datetime
) -> DeliveryOutcome:
    """Check one delivery addressed to ``project_id`` and act on it; returns the answer.

    1. Unknown or archived project (or no endpoint): 404, after checking the
       signature against a dummy secret so it costs what a bad signature does.
    2. Unrecognised provider, missing or wrong signature: 401, logged
       (without the body) while the project's refused-delivery budget lasts.
    3. Over the project's budget (``WEBHOOK_RATE_LIMIT``): 429, logged.
    4. Body not a JSON object: 400, logged.
    5. A delivery id already acted on: 200 "duplicate", logged, nothing done
       (the id is claimed by the log row written with the outcome of step 6).
    6. GitHub ping: 200. A push to the tracked branch (the project's, else the
       payload's default branch): a webhook-triggered refresh on the default
       queue, 202 with the new job, or with the project's queued job, or its
       running job when that resolved the pushed head ("deduplicated"); a
       running job that read another head (or none yet) is followed by a
       refresh when it ends (202 "queued" with the running job). Anything
       else: 202 "ignored". Of two concurrent
       copies of one delivery only one is acted on.

    Redis down (rate counters or queue): 503, and the delivery id stays free
    so the forge's redelivery is honoured.
    """
    headers = providers.lower_headers(headers)
    endpoint = webhook_endpoint_for_delivery(project_id=project_id)
    if endpoint is None:
        return _refused_not_found(project_id, body, headers)
    project = endpoint.project
    provider = providers.provider_for(headers)
    provider_name = provider.NAME if provider else WebhookProvider.UNKNOWN
    event = provider.event_name(headers)[:64] if provider else ""
    delivery_id = provider.delivery_id(headers)[:100] if provider else ""
    log = _LogFields(
        project=project, provider=provider_name, event=event, delivery_id=delivery_id, now=now
    )

    # 2. signature
    try:
        secret = webhook_secret_reveal(endpoint=endpoint)
    except TokenDecryptError:
        logger.error("Webhook secret of project %s cannot be decrypted; rotate it", project.pk)
        return DeliveryOutcome(
            401, DeliveryVerdict.UNAUTHORIZED, "The endpoint's secret must be regenerated."
        )
    # Without a provider the check is already False; naming it narrows the type below.
    if (
        not _check_signature(provider, body=body, secret=secret, headers=headers)
        or provider is None
    ):
        return _refuse_unsigned(provider, headers, log)

    # 3. budget: the project's, counted per delivery (a ping or an ignored push too)
    try:
        budget = RateLimiter(WEBHOOK_DELIVERY).increment(project)
    except RateLimitUnavailableError:
        outcome = DeliveryOutcome(
            503, DeliveryVerdict.UNAVAILABLE, "Rate limiting is unavailable; try again shortly."
        )
        _log(**log, outcome=outcome)
        return outcome
    if not budget.allowed:
        outcome = DeliveryOutcome(
            429,
            DeliveryVerdict.RATE_LIMITED,
            f"More than {budget.limit} deliveries in {budget.window_seconds} seconds.",
            retry_after=budget.retry_after,
        )
        logger.warning("Webhook delivery for project %s rate limited", project.pk)
        _log(**log, outcome=outcome)
        return outcome

    # 4. payload
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        payload = None
    except RecursionError:
        # No forge nests a push that deep: it is an attack on the parser.
        outcome = DeliveryOutcome(
            400, DeliveryVerdict.INVALID, "The JSON body is nested too deeply to be a delivery."
        )
        _log(**log, outcome=outcome)
        return outcome
    if not isinstance(payload, dict):
        outcome = DeliveryOutcome(
            400, DeliveryVerdict.INVALID, "The body is not a JSON object; send application/json."
        )
        _log(**log, outcome=outcome)
        return outcome

    # 5 and 6. act, and write the log row that claims the delivery id; a replay
    # fails that insert (partial unique constraint), which also rolls back a
    # job created in the same transaction, so nothing is done twice.
    reading = provider.read_event(event, payload)
    decided = _decide(project, reading)
    if decided is not None:
        return _record_claiming(log, decided)
    return _refresh(endpoint, log, head=reading.head)


def _answer_duplicate(log: _LogFields) -> DeliveryOutcome:
    outcome = DeliveryOutcome(
        200, DeliveryVerdict.DUPLICATE, "This delivery was received before; nothing done."
    )
    _log(**log, outcome=outcome)
    return outcome


def _record_claiming(log: _LogFields, outcome: DeliveryOutcome, **extra) -> DeliveryOutcome:
    """Write the log row that claims the delivery id; a concurrent twin makes it a duplicate."""
    try:
        with transaction.atomic():
            _log(**log, outcome=outcome, **extra)
    except IntegrityError:
        return _answer_duplicate(log)
    return outcome


def _refuse_unsigned(provider, headers: Mapping[str, str], log: _LogFields) -> DeliveryOutcome:
    if provider is None:
        reason = "Not a GitHub, GitLab or Gitea/Forgejo delivery (no event header)."
    elif not any(name in headers for name in _SIGNATURE_HEADERS[provider.NAME]):
        reason = "The delivery carries no signature; set the secret in the forge's webhook."
    else:
        reason = "The signature does not match this project's secret."
    outcome = DeliveryOutcome(401, DeliveryVerdict.UNAUTHORIZED, reason)
    project = log["project"]
    logger.warning(
        "Webhook delivery refused for project %s: %s (provider %s, event %r, delivery %r)",
        project.pk,
        reason,
        log["provider"],
        log["event"],
        log["delivery_id"],
    )
    try:
        within = RateLimiter(WEBHOOK_REFUSED_LOG).increment(project).allowed
    except RateLimitUnavailableError:
        within = False
    if within:
        # The claimed id is kept for the log only: refused rows claim nothing.
        _log(**log, outcome=outcome)
    return outcome


_SIGNATURE_HEADERS = {
    "github": ("x-hub-signature-256",),
    "gitea": ("x-gitea-signature", "x-forgejo-signature"),
    "gitlab": ("x-gitlab-token",),
}


def _decide(project: Project, reading: PushReading) -> DeliveryOutcome | None:
    """The answer to an authentic, new delivery; ``None`` when it should start a refresh."""
    if reading.kind == EventKind.PING:
        return DeliveryOutcome(200, DeliveryVerdict.PING, "Ping received; the webhook works.")
    if reading.kind == EventKind.TAG:
        return DeliveryOutcome(
            202, DeliveryVerdict.IGNORED, "A tag push; only branch pushes refresh."
        )
    if reading.kind != EventKind.PUSH:
        return DeliveryOutcome(202, DeliveryVerdict.IGNORED, "Not a push event.")
    tracked = project.branch or reading.default_branch
    if not tracked:
        return DeliveryOutcome(
            202,
            DeliveryVerdict.IGNORED,
            "The payload names no default branch; set the project's branch.",
        )
    if reading.branch != tracked:
        return DeliveryOutcome(
            202,
            DeliveryVerdict.IGNORED,
            f"A push to {reading.branch!r}; the tracked branch is {tracked!r}.",
        )
    if reading.deleted:
        return DeliveryOutcome(202, DeliveryVerdict.IGNORED, "The tracked branch was deleted.")
    return None


# Marking the running job can lose a race with its end; asking again then
# starts (or joins) a fresh job, and losing that many races in a row means
# a job that settles instantly, which reads the push anyway.
_FOLLOW_UP_ATTEMPTS = 3


def _queued(job) -> DeliveryOutcome:
    return DeliveryOutcome(
        202,
        DeliveryVerdict.QUEUED,
        "A push to the tracked branch; refresh queued.",
        job_id=str(job.pk),
    )


def _joined(job) -> DeliveryOutcome:
    if job.status == JobStatus.QUEUED:
        reason = "The project's refresh is already queued; it will read this push."
    else:
        reason = "The project's running refresh is already reading this push's head."
    return DeliveryOutcome(202, DeliveryVerdict.DEDUPLICATED, reason, job_id=str(job.pk))


def _followed(job) -> DeliveryOutcome:
    if job.job_type == JobType.REFRESH:
        reason = "The project's running refresh read the head before this push; "
    else:
        reason = "The project's skills extraction does not read the plan; "
    return DeliveryOutcome(
        202,
        DeliveryVerdict.QUEUED,
        reason + "a refresh follows it as soon as it ends.",
        job_id=str(job.pk),
    )


def _push_answer(project: Project, head: str | None) -> tuple[DeliveryOutcome, JobRecord]:
    """Start, join or follow the project's refresh for a push of ``head``.

    Returns ``(outcome, job)``. A queued refresh reads the head when it
    starts, so it answers any push; a running one answers only a push of the
    head it resolved. Otherwise (a force-push back to an earlier head
    included, or a skills extraction, which reads no plan) the job is marked
    to be followed by another refresh. Raises
    ``QueueUnavailableError`` when no job can be queued.
    """
    for _ in range(_FOLLOW_UP_ATTEMPTS):
        answer = project_refresh_request(
            project=project, requested_by=None, trigger=RequestTrigger.WEBHOOK
        )
        if not answer.accepted:
            raise QueueUnavailableError(answer.detail or answer.kind)
        job = answer.job
        assert job is not None  # an accepted request always has its job
        if answer.kind == Outcome.QUEUED:
            return _queued(job), job
        reads_push = job.status != JobStatus.PROCESSING or (
            head is not None and job.head_sha == head
        )
        if job.job_type == JobType.REFRESH and reads_push:
            return _joined(job), job
        if tracker.job_mark_follow_up(job.pk):
            return _followed(job), job
    assert job is not None  # the loop ran at least once
    return _joined(job), job


def _refresh(endpoint: WebhookEndpoint, log: _LogFields, *, head: str | None) -> DeliveryOutcome:
    """Join the project's active job, follow it, or start a webhook refresh (default queue).

    The refresh and the log row that claims the delivery id share one
    transaction; the job is enqueued (or the running job marked) when it
    commits, and a replay rolls both back.
    """
    project = endpoint.project
    delivery = None
    try:
        with transaction.atomic():
            outcome, job = _push_answer(project, head)
            delivery = _log(**log, outcome=outcome, job=job)
    except IntegrityError:  # a concurrent twin of this delivery claimed the id first
        return _answer_duplicate(log)
    except QueueUnavailableError as exc:
        # Raised after the commit (the enqueue runs then) or before it: either
        # way no job is waiting, and the row must not hold the delivery id.
        logger.warning("Webhook refresh of project %s not queued: %s", project.pk, exc)
        outcome = DeliveryOutcome(
            503, DeliveryVerdict.UNAVAILABLE, "The job queue is unavailable; try again shortly."
        )
        updated = delivery is not None and WebhookDelivery.objects.filter(pk=delivery.pk).update(
            verdict=outcome.verdict, http_status=outcome.status, reason=outcome.reason
        )
        if not updated:
            _log(**log, outcome=outcome)
        return outcome
    return outcome


# -- the page's test delivery ------------------------------------------------------------


def webhook_test_delivery_send(*, project: Project, now: datetime) -> DeliveryOutcome:
    """Send a signed GitHub-style ping to the project's own endpoint, in process.

    It takes the same path as a real delivery (signature, budget, log), so
    its verdict shows whether the endpoint works. Without an endpoint the
    answer is the endpoint's 404.
    """
    endpoint = WebhookEndpoint.objects.filter(project=project).first()
    body = json.dumps(
        {
            "zen": "Sent from RepoTrackr's webhook page.",
            "hook_id": 0,
            "repository": {"full_name": project.name},
        },
    ).encode()
    headers = {"X-GitHub-Event": "ping", "X-GitHub-Delivery": f"repotrackr-test-{uuid.uuid4()}"}
    if endpoint is not None:
        headers["X-Hub-Signature-256"] = github.sign(body, webhook_secret_reveal(endpoint=endpoint))
    return webhook_delivery_receive(project_id=project.pk, body=body, headers=headers, now=now)


# -- retention ------------------------------------------------------------------------------


def webhook_deliveries_prune(*, now: datetime) -> int:
    """Delete deliveries older than ``WEBHOOK_DELIVERY_RETENTION_DAYS``; returns how many."""
    cutoff = now - timedelta(days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    _, per_model = WebhookDelivery.objects.filter(received_at__lt=cutoff).delete()
    return per_model.get(WebhookDelivery._meta.label, 0)
