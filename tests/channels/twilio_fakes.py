"""A Twilio channel over real HTTP, for the SMS and WhatsApp tests: a Sanic server on a free
local port, requests signed the way Twilio signs them (with a test auth token), Twilio's REST
client replaced by a fake, and a fake Rasa that stores events like Rasa's processor."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import socket
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic
from twilio.request_validator import RequestValidator

import bot.channels.twilio_base as twilio_base
from bot.answers import covered_numbers
from bot.knowledge import load_knowledge

TOKEN = "0123456789abcdef0123456789abcdef"
SECRET = "test-sender-secret"
SID = "AC00000000000000000000000000000000"
BUTTONS = [
    {"title": "Save evidence", "payload": "/ask_evidence"},
    {"title": "Where to report", "payload": "/ask_report"},
    {"title": "Talk to someone", "payload": "/human_handoff"},
]
_apps = itertools.count()


def hmac_of(address: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()


def emergency_numbers() -> List[str]:
    kb = load_knowledge()
    numbers = [c.phone for j in kb.covered() for c in j.contacts if c.kind == "emergency" and c.phone]
    assert numbers and covered_numbers(kb)
    return numbers


class FakeTwilio:
    """Stands in for twilio.rest.Client: records every messages.create call."""

    def __init__(self, sent: List[Dict[str, Any]], fail: Optional[Exception] = None) -> None:
        self.sent, self.fail = sent, fail
        self.clients: List[Tuple] = []

    def __call__(self, account_sid, auth_token, **kwargs):
        self.clients.append((account_sid, auth_token))
        return SimpleNamespace(messages=SimpleNamespace(create=self.create))

    def create(self, **kwargs):
        if self.fail:
            raise self.fail
        self.sent.append(kwargs)
        return SimpleNamespace(sid="SM" + "0" * 32)


class Assistant:
    """A fake Rasa: records each UserMessage, stores user and bot events like Rasa's processor,
    and answers through the message's output channel. `during` runs while answering."""

    def __init__(self, store: InMemoryTrackerStore) -> None:
        self.store = store
        self.received: List[UserMessage] = []
        self.replies: List[Tuple[str, Optional[List[Dict]]]] = [("How can I help?", None)]
        self.fail = False
        self.during = None

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.fail:
            raise RuntimeError("model exploded")
        tracker = await self.store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, input_channel=message.input_channel))
        if self.during:
            await self.during()
        for text, buttons in self.replies:
            tracker.update(BotUttered(text, data={"buttons": buttons} if buttons else {}))
        await self.store.save(tracker)
        for text, buttons in self.replies:
            if buttons:
                await message.output_channel.send_text_with_buttons(message.sender_id, text, buttons)
            else:
                await message.output_channel.send_text_message(message.sender_id, text)


class Server:
    def __init__(
        self,
        base: str,
        path: str,
        assistant: Assistant,
        store: InMemoryTrackerStore,
        sent: List[Dict[str, Any]],
        twilio: FakeTwilio,
        form,
    ) -> None:
        self.base, self.path, self.assistant, self.store, self.sent, self.twilio = (
            base,
            path,
            assistant,
            store,
            sent,
            twilio,
        )
        self.form = form

    @property
    def url(self) -> str:
        return self.base + self.path

    async def post(
        self,
        params: Dict[str, str],
        signature: Optional[str] = "sign",
        sign_url: Optional[str] = None,
        sign_params: Optional[Dict[str, str]] = None,
        path: Optional[str] = None,
    ) -> Tuple[int, str, str]:
        path = path or self.path
        headers = {}
        if signature == "sign":
            signature = RequestValidator(TOKEN).compute_signature(
                sign_url or self.base + path, sign_params if sign_params is not None else params
            )
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        async with aiohttp.ClientSession() as session:
            async with session.post(self.base + path, data=params, headers=headers) as r:
                return r.status, r.headers.get("Content-Type", ""), await r.text()

    async def text(self, body: str, number: Optional[str] = None) -> Tuple[int, str, str]:
        return await self.post(self.form(body, number) if number else self.form(body))

    def bodies(self) -> List[str]:
        return [m["body"] for m in self.sent]


async def start(monkeypatch, channel, prefix: str, form, fail_send: Optional[Exception] = None):
    """Serve `channel` (an input channel) under `prefix`; returns (server, handle)."""
    sent: List[Dict[str, Any]] = []
    twilio = FakeTwilio(sent, fail_send)
    monkeypatch.setattr(twilio_base, "Client", twilio)
    # Several apps start in one process: test mode lets Sanic's start-up optimisation run again.
    monkeypatch.setattr(Sanic, "test_mode", True)
    store = InMemoryTrackerStore(Domain.empty())
    assistant = Assistant(store)
    app = Sanic(f"twilio_test_{next(_apps)}", configure_logging=False)
    app.ctx.agent = SimpleNamespace(tracker_store=store, lock_store=None)
    app.blueprint(channel.blueprint(assistant), url_prefix=prefix)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.start_serving()
    port = sock.getsockname()[1]
    return server, Server(f"http://127.0.0.1:{port}", prefix + "/webhook", assistant, store, sent, twilio, form)
