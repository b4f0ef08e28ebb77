"""Soak: `make run`'s memory stays flat over 10,000 conversations once their sessions have expired.

Rasa's InMemoryTrackerStore keeps every conversation for as long as the process lives (10 to
20 KB each). bot.tracker_store.BoundedInMemoryTrackerStore drops those idle for longer than
the session expiry. This runs the real servers with endpoints.yml's tracker store, the expiry
shortened to a few seconds (the one change), sends SOAK_CONVERSATIONS (10,000) two-turn
conversations, and compares the Rasa server's resident memory once their sessions expired
with the same figure after a warm-up of 1,000. It takes several minutes, so it runs only with

    RUN_SOAK=1 .venv/bin/python -m pytest -q -s tests/perf/test_memory_soak.py

(SOAK_STORE=rasa runs the same soak on Rasa's own in-memory store, for comparison.)
"""

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "current.tar.gz"
EXPIRY_SECONDS = 4
CONVERSATIONS = int(os.environ.get("SOAK_CONVERSATIONS", "10000"))
WARM_UP = 1000
TOLERANCE = 1.05
MESSAGES = [
    ("someone posted my home address online", "Melbourne"),
    ("hi", "a guy keeps sending me threats"),
    ("I'm in Auckland and my ex shared my nudes", "how do I get it taken down?"),
    ("can I record calls with my harasser?", "I'm in Victoria"),
]

pytestmark = pytest.mark.skipif(os.environ.get("RUN_SOAK") != "1", reason="a long soak: set RUN_SOAK=1 to run it")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def wait_up(url: str, process: subprocess.Popen, log: Path, seconds: int = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited; log:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{url} did not come up")


async def conversations(url: str, count: int, parallel: int = 8) -> int:
    import aiohttp

    errors = 0
    queue = list(range(count))

    async def worker(session):
        nonlocal errors
        while queue:
            index = queue.pop()
            sender = f"soak-{uuid.uuid4().hex}"
            for message in MESSAGES[index % len(MESSAGES)]:
                async with session.post(url, json={"sender": sender, "message": message}) as response:
                    if response.status != 200 or not await response.json(content_type=None):
                        errors += 1

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        await asyncio.gather(*(worker(session) for _ in range(parallel)))
    return errors


def test_memory_is_flat_once_sessions_expired(tmp_path):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train`")
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    if os.environ.get("SOAK_STORE") == "rasa":
        endpoints.pop("tracker_store", None)
    else:
        assert endpoints["tracker_store"]["type"] == "bot.tracker_store.BoundedInMemoryTrackerStore"
        endpoints["tracker_store"]["expire_after_seconds"] = EXPIRY_SECONDS
    rasa_port, actions_port = free_port(), free_port()
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    (tmp_path / "endpoints.yml").write_text(yaml.safe_dump(endpoints))
    # Nothing of ours needs setting: bot/config.py has every default (SMS and WhatsApp off).
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    rasa = str(Path(sys.executable).parent / "rasa")
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [rasa, "run", "actions", "--actions", "actions", "--port", str(actions_port)],
                cwd=ROOT,
                env=env,
                stdout=(tmp_path / "actions.log").open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        log = tmp_path / "rasa.log"
        processes.append(
            subprocess.Popen(
                [
                    rasa,
                    "run",
                    "--model",
                    str(MODEL),
                    "--port",
                    str(rasa_port),
                    "--endpoints",
                    str(tmp_path / "endpoints.yml"),
                    "--credentials",
                    "credentials.yml",
                ],
                cwd=ROOT,
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        wait_up(f"http://127.0.0.1:{actions_port}/health", processes[0], tmp_path / "actions.log")
        wait_up(f"http://127.0.0.1:{rasa_port}/", processes[1], log)
        url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        pid = processes[1].pid

        assert asyncio.run(conversations(url, WARM_UP)) == 0
        time.sleep(EXPIRY_SECONDS + 2)
        asyncio.run(conversations(url, 8))  # a little traffic: the store sweeps
        baseline = rss_mb(pid)
        series = [round(baseline)]
        done, started = 0, time.monotonic()
        while done < CONVERSATIONS:
            batch = min(1000, CONVERSATIONS - done)
            assert asyncio.run(conversations(url, batch)) == 0
            done += batch
            series.append(round(rss_mb(pid)))
            print(f"soak: {done} conversations, {time.monotonic() - started:.0f} s, RSS {series[-1]} MB", flush=True)
        time.sleep(EXPIRY_SECONDS + 2)
        asyncio.run(conversations(url, 8))
        final = rss_mb(pid)
        print(
            f"\nsoak: {CONVERSATIONS} conversations in {time.monotonic() - started:.0f} s; RSS MB after the "
            f"warm-up {baseline:.0f}, per 1,000: {series[1:]}, once expired {final:.0f} "
            f"({final / baseline:.3f}x)"
        )
        assert final <= baseline * TOLERANCE, f"RSS grew from {baseline:.0f} to {final:.0f} MB"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
