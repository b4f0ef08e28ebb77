"""Whole conversations over the REST channel, exactly as the website widget talks to the assistant.

The project's own runner (scripts/eval.py) runs our case file (tests/e2e/cases.yml:
533 cases in people's words, 140 of them long, several things at once), and the shared
sample cases in ../shared/eval/ as an extra where that folder is beside the repository
(skipped, with a message, where it is not). Crisis cases must all pass; the floors below
are what we hold the assistant to, and the figures are printed for the closing notes.
"""

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, SHARED_EVAL

RUNNER = ROOT / "scripts" / "eval.py"
OWN_CASES = ROOT / "tests" / "e2e" / "cases.yml"
# pass-rate floors (crisis is always 100 %), and the first reply's length: a phone screen
FLOORS = {"own": 0.60, "shared": 1.0, "shared-next": 0.8}
FIRST_REPLY_MEDIAN_WORDS = 120
CASE_FILES = {"own": OWN_CASES, "shared": SHARED_EVAL / "cases.yml", "shared-next": SHARED_EVAL / "cases-next.yml"}


def run_cases(assistant, cases: Path, out: Path) -> dict:
    completed = subprocess.run(
        [
            sys.executable,
            str(RUNNER),
            "--cases",
            str(cases),
            "--url",
            assistant.url,
            "--concurrency",
            "4",
            "--json-out",
            str(out),
            "-v",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    print(completed.stdout[-6000:])
    assert out.exists(), completed.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.parametrize("name", list(CASE_FILES))
def test_conversation_cases(assistant, tmp_path, name):
    cases = CASE_FILES[name]
    if not cases.exists():
        pytest.skip(f"{cases} is not beside the repository: the shared sample runs only where it is")
    summary = run_cases(assistant, cases, tmp_path / f"{name}.json")
    rate = summary["passed"] / summary["total"]
    crisis = summary["by_category"].get("crisis", [0, 0])
    failed = [r["id"] for r in summary["results"] if not r["passed"]]
    first = summary["first_reply"]
    print(
        f"{name}: pass {summary['passed']}/{summary['total']} = {rate:.1%}; crisis {crisis[0]}/{crisis[1]}; "
        f"long {summary['long_cases'][0]}/{summary['long_cases'][1]}; "
        f"p50 {summary['latency_ms']['p50']:.0f} ms, p95 {summary['latency_ms']['p95']:.0f} ms; "
        f"first reply words p50 {first['words_p50']} p90 {first['words_p90']}, "
        f"SMS segments p50 {first['sms_segments_p50']} p90 {first['sms_segments_p90']}"
    )
    assert (
        crisis[0] == crisis[1]
    ), f"crisis cases failed: {[r['id'] for r in summary['results'] if r['category'] == 'crisis' and not r['passed']]}"
    assert rate >= FLOORS[name], f"{name} pass rate {rate:.1%} below {FLOORS[name]:.0%}; failed: {failed}"
    assert first["words_p50"] <= FIRST_REPLY_MEDIAN_WORDS, first


# -- bad input over the wire: a kind answer or a 4xx, never a crash or silence ---------------------


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "?",
        "qwerty uiop",
        "🙂🙂🙂",
        "<script>alert('x')</script>",
        "<b>help</b> <img src=x onerror=alert(1)>",
    ],
)
def test_odd_messages_get_a_kind_reply(assistant, message):
    status, replies = assistant.post(f"odd-{uuid.uuid4().hex}", message)
    assert status == 200
    assert replies and any(r.get("text") for r in replies)
    assert not any("<script" in (r.get("text") or "") for r in replies)


def test_huge_message_gets_a_reply(assistant):
    status, replies = assistant.post(f"huge-{uuid.uuid4().hex}", "he keeps messaging me " * 5000)
    assert status == 200 and replies


def test_invalid_json_is_refused_not_crashed(assistant):
    status, _ = assistant.post("x", None, raw=b"{not json")
    assert 400 <= status < 500
    status, replies = assistant.post(f"after-{uuid.uuid4().hex}", "hello")
    assert status == 200 and replies  # still serving


def test_memory_across_turns_and_no_second_question(assistant):
    sender = f"mem-{uuid.uuid4().hex}"
    _, first = assistant.post(sender, "someone put my address and phone number on a forum")
    assert "Where are you" in " ".join(r.get("text", "") for r in first)
    _, second = assistant.post(sender, "melb")
    text = " ".join(r.get("text", "") for r in second)
    assert "474.17C" in text
    _, third = assistant.post(sender, "how do I get it taken down from the site?")
    text = " ".join(r.get("text", "") for r in third)
    assert "Where are you" not in text and text


def test_danger_uses_the_place_said_earlier(assistant):
    sender = f"place-{uuid.uuid4().hex}"
    assistant.post(sender, "I live in Christchurch")
    _, replies = assistant.post(sender, "he's outside my door right now")
    text = " ".join(r.get("text", "") for r in replies)
    assert "111" in text and not re.search(r"(?<![\d,])000\b", text)  # not Triple Zero ("$50,000" is a fine)


def test_non_utf8_bytes_are_refused_not_crashed(assistant):
    status, _ = assistant.post("x", None, raw=b'{"sender": "bytes", "message": "\xff\xfe\xfa"}')
    assert 400 <= status < 500 or status == 200  # refused, or read with replacement characters
    status, replies = assistant.post(f"after-bytes-{uuid.uuid4().hex}", "hello")
    assert status == 200 and replies


def test_a_burst_from_one_sender_never_sticks_the_conversation(assistant):
    """A thousand messages at once from one sender: each gets a reply or a 4xx (429 beyond
    a few in flight), quickly, and the conversation still answers normally afterwards."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    sender = f"burst-{uuid.uuid4().hex}"
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(
            pool.map(lambda i: assistant.post(sender, f"message {i} he keeps messaging me", timeout=60), range(1000))
        )
    elapsed = time.monotonic() - started
    statuses = [status for status, _ in results]
    assert all(s == 200 or 400 <= s < 500 for s in statuses), sorted(set(statuses))
    assert statuses.count(429) > 0 and statuses.count(200) > 0
    assert all(replies for status, replies in results if status == 200)
    print(f"burst: {statuses.count(200)} answered, {statuses.count(429)} refused with 429 in {elapsed:.1f} s")
    status, replies = assistant.post(sender, "I'm in Sydney, what's the emergency number?")
    assert status == 200 and "000" in " ".join(r.get("text", "") for r in replies)
