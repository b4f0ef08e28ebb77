"""Start the action server and the Rasa server on free ports, once per test session."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "current.tar.gz"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
STARTUP_SECONDS = 240
ALLOWED_ORIGIN = "https://help.example.org"  # the only origin CORS lets in during the tests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise RuntimeError(f"{url} not up after {STARTUP_SECONDS} s; log:\n{log.read_text()[-3000:]}")


class Assistant:
    def __init__(self, url: str, log: Path, actions_log: Path):
        self.url, self.log, self.actions_log = url, log, actions_log

    def request(self, path: str, method: str = "GET", headers=None, body: bytes = None):
        req = urllib.request.Request(f"{self.url}{path}", data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def post(self, sender: str, message, raw: bytes = None, timeout: float = 30):
        body = raw if raw is not None else json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"[]")
        except urllib.error.HTTPError as error:
            return error.code, None


@contextlib.contextmanager
def running_assistant(logs: Path, with_actions: bool = True):
    """Rasa (and, unless with_actions=False, the action server) on free ports, stopped afterwards."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make e2e does it for you)")
    rasa_port, actions_port = free_port(), free_port()
    # Nothing of ours needs setting (bot/config.py has every default; the SMS and WhatsApp
    # channels are mounted but off). Only the action server's port differs from endpoints.yml.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    (logs / "endpoints.yml").write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    rasa = str(Path(sys.executable).parent / "rasa")
    processes = []
    try:
        actions_log = logs / "actions.log"
        if with_actions:
            processes.append(
                subprocess.Popen(
                    [rasa, "run", "actions", "--actions", "actions", "--port", str(actions_port)],
                    cwd=ROOT,
                    env=env,
                    stdout=actions_log.open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
            wait_for(f"http://127.0.0.1:{actions_port}/health", processes[-1], actions_log)
        rasa_log = logs / "rasa.log"
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
                    str(logs / "endpoints.yml"),
                    "--credentials",
                    "credentials.yml",
                    "--cors",
                    ALLOWED_ORIGIN,
                    "--log-file",
                    str(logs / "rasa-file.log"),
                ],
                cwd=ROOT,
                env=env,
                stdout=rasa_log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        wait_for(f"http://127.0.0.1:{rasa_port}/", processes[-1], rasa_log)
        yield Assistant(f"http://127.0.0.1:{rasa_port}", rasa_log, actions_log)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("servers")) as running:
        yield running
