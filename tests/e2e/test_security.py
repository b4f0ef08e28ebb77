"""The server as an attacker or a snoop would see it: no open HTTP API, CORS only for
configured origins, and no message text in the logs."""

import json
import uuid

from bot.limits import MAX_MESSAGE_CHARS
from tests.e2e.conftest import ALLOWED_ORIGIN


def test_http_api_is_off(assistant):
    for path in ("/conversations/someone/tracker", "/status", "/model/parse"):
        method = "POST" if path == "/model/parse" else "GET"
        status, _, _ = assistant.request(path, method=method, body=b'{"text": "hi"}' if method == "POST" else None)
        assert status in (403, 404, 405), (path, status)


def test_cors_only_for_configured_origins(assistant):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    _, headers, _ = assistant.request("/webhooks/rest/webhook", "OPTIONS", {**preflight, "Origin": ALLOWED_ORIGIN})
    assert headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    _, headers, _ = assistant.request(
        "/webhooks/rest/webhook", "OPTIONS", {**preflight, "Origin": "https://evil.example.com"}
    )
    assert "Access-Control-Allow-Origin" not in headers


def test_no_message_text_in_the_logs(assistant):
    marker = f"secretmarker{uuid.uuid4().hex[:12]}"
    sender = f"log-{uuid.uuid4().hex}"
    status, replies = assistant.post(sender, f"my ex {marker} posted my address, I live in Perth")
    assert status == 200 and replies
    for log in (assistant.log, assistant.actions_log, assistant.log.parent / "rasa-file.log"):
        if log.exists():
            assert marker not in log.read_text(errors="replace"), f"message text leaked into {log.name}"
            assert "Perth" not in log.read_text(errors="replace")


def test_widget_channel_rejects_bad_requests(assistant):
    status, _, _ = assistant.request(
        "/webhooks/widget/webhook", "POST", {"Content-Type": "application/json"}, b"{not json"
    )
    assert status == 400
    status, _, _ = assistant.request(
        "/webhooks/widget/webhook",
        "POST",
        {"Content-Type": "application/json"},
        json.dumps({"sender": "short", "message": "hi"}).encode(),
    )
    assert status == 400
    status, _, _ = assistant.request(
        "/webhooks/widget/webhook",
        "POST",
        {"Content-Type": "application/json"},
        json.dumps({"sender": "a" * 32, "message": "x" * (MAX_MESSAGE_CHARS + 1)}).encode(),
    )
    assert status == 413


def test_widget_forget_deletes_the_conversation(assistant):
    sender = uuid.uuid4().hex
    headers = {"Content-Type": "application/json"}
    status, _, body = assistant.request(
        "/webhooks/widget/webhook",
        "POST",
        headers,
        json.dumps({"sender": sender, "message": "I live in Hobart"}).encode(),
    )
    assert status == 200 and json.loads(body)["emergency"]["place"] == "Australia"
    status, _, _ = assistant.request(
        "/webhooks/widget/forget", "POST", headers, json.dumps({"sender": sender}).encode()
    )
    assert status == 204
    _, _, body = assistant.request(f"/webhooks/widget/emergency?sender={sender}")
    assert json.loads(body)["place"] is None  # the tracker (and the place in it) is gone
    status, _, _ = assistant.request(
        "/webhooks/widget/webhook", "POST", headers, json.dumps({"sender": sender, "message": "hello?"}).encode()
    )
    assert status == 410  # a message still in flight after quick exit cannot bring it back


def test_demo_page_has_a_strict_csp(assistant):
    status, headers, _ = assistant.request("/webhooks/widget/")
    assert status == 200
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert headers.get("X-Content-Type-Options") == "nosniff"
