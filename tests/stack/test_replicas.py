"""The production profile on loopback (scripts/stack.sh up 2): conversations live in
PostgreSQL and survive moving between replicas, losing a replica, and losing the
action servers; forget and retention delete from PostgreSQL; logs stay clean.

Run by `make stack-test`, which starts and stops the stack around these tests."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / ".run" / "stack"
STACK = f"http://127.0.0.1:{os.environ.get('STACK_PORT', '8000')}"
RASA_BASE = int(os.environ.get("RASA_BASE_PORT", "5106"))
DB_PORT = os.environ.get("DB_PORT", "5433")

pytestmark = pytest.mark.skipif(not (RUN / "replicas").exists(), reason="stack not running: use `make stack-test`")


def post(base: str, sender: str, message: str):
    request = urllib.request.Request(
        f"{base}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, "\n".join(m.get("text") or "" for m in json.loads(response.read()))


def replica(index: int) -> str:
    return f"http://127.0.0.1:{RASA_BASE + index}"


def psql(sql: str) -> str:
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    env = dict(os.environ, PGPASSWORD=os.environ.get("DB_PASSWORD", "rasa-local-only"))
    return subprocess.run(
        [str(pg_bin / "psql"), "-h", "127.0.0.1", "-p", DB_PORT, "-U", "rasa", "-d", "rasa", "-qtA", "-c", sql],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()


def stop(pidfile: Path) -> None:
    os.kill(int(pidfile.read_text()), signal.SIGKILL)
    time.sleep(1)


def stack(*args: str) -> None:
    subprocess.run([str(ROOT / "scripts" / "stack.sh"), *args], check=True, capture_output=True, timeout=300)


def wait_through_nginx(port: str, path: str, seconds: int = 30) -> None:
    """nginx keeps a failed upstream out for fail_timeout; wait until it routes again."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError(f"nothing answers on :{port}{path} through nginx")


def test_turns_alternate_between_replicas_without_losing_state():
    sender = f"alt-{uuid.uuid4().hex}"
    _, first = post(replica(0), sender, "someone posted my home address and phone number on a forum")
    assert "Where are you" in first
    _, second = post(replica(1), sender, "Darwin")  # the other replica knows what was pending
    assert "474.17C" in second
    _, third = post(replica(0), sender, "what if the police ignore my report?")
    assert "in Australia" in third and "Where are you" not in third  # it knows the place: no second question
    assert int(psql(f"select count(*) from events where sender_id = '{sender}'")) > 0


def test_forget_deletes_the_conversation_from_postgresql():
    sender = uuid.uuid4().hex
    body = json.dumps({"sender": sender, "message": "I live in Hobart"}).encode()
    urllib.request.urlopen(
        urllib.request.Request(
            f"{STACK}/webhooks/widget/webhook", data=body, headers={"Content-Type": "application/json"}
        ),
        timeout=60,
    )
    assert int(psql(f"select count(*) from events where sender_id = '{sender}'")) > 0
    forget = urllib.request.Request(
        f"{STACK}/webhooks/widget/forget",
        data=json.dumps({"sender": sender}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert urllib.request.urlopen(forget, timeout=30).status == 204
    assert psql(f"select count(*) from events where sender_id = '{sender}'") == "0"


def test_retention_purge_deletes_idle_conversations_only():
    old, recent = f"old-{uuid.uuid4().hex}", f"new-{uuid.uuid4().hex}"
    post(STACK, old, "hello")
    post(STACK, recent, "hello")
    psql(f"update events set timestamp = timestamp - 40 * 86400 where sender_id = '{old}'")
    env = dict(os.environ, TRACKER_RETENTION_DAYS="30")
    result = subprocess.run(
        [
            str(ROOT / "scripts" / "stack.sh"),
            "run",
            str(ROOT / ".venv/bin/python"),
            "-m",
            "bot.retention",
            "purge",
            "--endpoints",
            "deploy/endpoints.yml",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert psql(f"select count(*) from events where sender_id = '{old}'") == "0"
    assert int(psql(f"select count(*) from events where sender_id = '{recent}'")) > 0


def test_action_servers_down_still_gives_a_reply_and_numbers():
    pidfiles = sorted(RUN.glob("actions-*.pid"))
    for pidfile in pidfiles:
        stop(pidfile)
    try:
        sender = f"noact-{uuid.uuid4().hex}"
        status, text = post(STACK, sender, "I'm in Perth, how do I report harassment to police?")
        assert status == 200 and "went wrong" in text and "000" in text
        status, text = post(STACK, sender, "he's outside my house right now")
        assert status == 200 and "000" in text
    finally:
        for index in range(len(pidfiles)):
            stack("start-actions", str(index))
        wait_through_nginx(os.environ.get("STACK_ACTIONS_PORT", "8055"), "/health")


def test_a_replica_dies_mid_conversation_and_the_other_carries_on():
    sender = f"kill-{uuid.uuid4().hex}"
    _, first = post(STACK, sender, "my ex is sharing intimate photos of me")
    assert "Where are you" in first
    stop(RUN / "rasa-0.pid")
    try:
        for message, expected in (("Adelaide", "474.17A"), ("how do I save evidence?", "URL")):
            status, text = post(STACK, sender, message)
            assert status == 200 and expected in text
    finally:
        stack("start-rasa", "0")


def test_no_message_text_in_replica_logs():
    marker = f"logmarker{uuid.uuid4().hex[:10]}"
    post(STACK, f"log-{uuid.uuid4().hex}", f"someone called {marker} keeps messaging me")
    for log in RUN.glob("*.log"):
        assert marker not in log.read_text(errors="replace"), log.name
