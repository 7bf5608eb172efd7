import json
from datetime import UTC, datetime

from notifications.core.kinds import HTTP_KINDS
from notifications.core.kinds import email as email_kind
from notifications.core.payload import (
    EventMessage,
    ProjectFigures,
    encode_json,
    sign,
    signature_matches,
    webhook_payload,
)

MESSAGE = EventMessage(
    event="project.completed",
    occurred_at=datetime(2026, 12, 4, 10, 0, tzinfo=UTC),
    project_id="p1",
    project_name="<b>Demo</b> & co",
    project_url="https://example.com/projects/p1/",
    current=ProjectFigures("complete", 100.0),
    previous=ProjectFigures("yellow", 66.667),
)


def test_webhook_payload_has_the_documented_fields():
    assert webhook_payload(MESSAGE) == {
        "event": "project.completed",
        "occurred_at": "2026-12-04T10:00:00Z",
        "project": {
            "id": "p1",
            "name": "<b>Demo</b> & co",
            "url": "https://example.com/projects/p1/",
            "status": "complete",
            "progress_percentage": 100.0,
        },
        "previous": {"status": "yellow", "progress_percentage": 66.67},
    }


def test_signature_is_hmac_sha256_of_the_raw_body_and_detects_tampering():
    body = encode_json(webhook_payload(MESSAGE))
    header = sign(body, "s3cret")
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert signature_matches(body, "s3cret", header)
    assert not signature_matches(body + b" ", "s3cret", header)
    assert not signature_matches(body, "other", header)


def test_slack_escapes_the_project_name():
    text = HTTP_KINDS["slack"].render(MESSAGE)["text"]
    assert "&lt;b&gt;Demo&lt;/b&gt; &amp; co" in text and "<b>" not in text
    assert "<https://example.com/projects/p1/|" in text


def test_discord_allows_no_mentions_and_teams_sends_an_adaptive_card():
    assert HTTP_KINDS["discord"].render(MESSAGE)["allowed_mentions"] == {"parse": []}
    teams = HTTP_KINDS["teams"].render(MESSAGE)
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["actions"][0]["url"] == MESSAGE.project_url
    json.dumps(teams)


def test_email_ends_with_the_unsubscribe_link():
    text = email_kind.render(MESSAGE, unsubscribe_url="https://x/u/t/")
    assert text.subject.endswith("is complete")
    assert text.body.rstrip().endswith("https://x/u/t/")
