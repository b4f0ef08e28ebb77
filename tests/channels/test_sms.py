"""The Twilio SMS channel over real HTTP: a Sanic server on a free local port, requests signed
the way Twilio signs them (with a test auth token), Twilio's REST client replaced by a fake."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import logging
import socket
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

import bot.channels.sms as sms
from bot.answers import covered_numbers
from bot.knowledge import load_knowledge
from bot.render import SMS_LIMIT
from bot.channels.sms import TWIML_EMPTY, TwilioSmsInput, pack, sms_text

TOKEN = "0123456789abcdef0123456789abcdef"
SECRET = "test-sender-secret"
SID = "AC00000000000000000000000000000000"
TWILIO_NUMBER = "+15005550006"
PHONE = "+61400111222"
PATH = "/webhooks/twilio_sms/webhook"
PRIVATE = "my ex posted my home address on a forum"
BUTTONS = [{"title": "Save evidence", "payload": "/ask_evidence"},
           {"title": "Where to report", "payload": "/ask_report"},
           {"title": "Talk to someone", "payload": "/human_handoff"}]
_apps = itertools.count()


def hmac_of(number: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()


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
    and answers through the message's output channel."""

    def __init__(self, store: InMemoryTrackerStore) -> None:
        self.store = store
        self.received: List[UserMessage] = []
        self.replies: List[Tuple[str, Optional[List[Dict]]]] = [("How can I help?", None)]
        self.fail = False

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.fail:
            raise RuntimeError("model exploded")
        tracker = await self.store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, input_channel=message.input_channel))
        for text, buttons in self.replies:
            tracker.update(BotUttered(text, data={"buttons": buttons} if buttons else {}))
        await self.store.save(tracker)
        for text, buttons in self.replies:
            if buttons:
                await message.output_channel.send_text_with_buttons(message.sender_id, text, buttons)
            else:
                await message.output_channel.send_text_message(message.sender_id, text)


class Server:
    def __init__(self, base: str, assistant: Assistant, store: InMemoryTrackerStore,
                 sent: List[Dict[str, Any]], twilio: FakeTwilio) -> None:
        self.base, self.assistant, self.store, self.sent, self.twilio = base, assistant, store, sent, twilio

    @property
    def url(self) -> str:
        return self.base + PATH

    async def post(self, params: Dict[str, str], signature: Optional[str] = "sign",
                   sign_url: Optional[str] = None, sign_params: Optional[Dict[str, str]] = None,
                   path: str = PATH) -> Tuple[int, str, str]:
        headers = {}
        if signature == "sign":
            signature = RequestValidator(TOKEN).compute_signature(sign_url or self.base + path,
                                                                   sign_params if sign_params is not None else params)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        async with aiohttp.ClientSession() as session:
            async with session.post(self.base + path, data=params, headers=headers) as r:
                return r.status, r.headers.get("Content-Type", ""), await r.text()

    async def text(self, body: str, number: str = PHONE) -> Tuple[int, str, str]:
        return await self.post(form(body, number))

    def bodies(self) -> List[str]:
        return [m["body"] for m in self.sent]


def form(body: str, number: str = PHONE, **extra: str) -> Dict[str, str]:
    return {"ToCountry": "US", "SmsMessageSid": "SM" + "1" * 32, "NumMedia": "0", "From": number,
            "To": TWILIO_NUMBER, "Body": body, "AccountSid": SID, "ApiVersion": "2010-04-01", **extra}


async def start(monkeypatch, credentials: Optional[Dict[str, Any]] = None, fail_send: Optional[Exception] = None):
    sent: List[Dict[str, Any]] = []
    twilio = FakeTwilio(sent, fail_send)
    monkeypatch.setattr(sms, "Client", twilio)
    # Several apps start in one process: test mode lets Sanic's start-up optimisation run again.
    monkeypatch.setattr(Sanic, "test_mode", True)
    channel = TwilioSmsInput.from_credentials(credentials or {
        "account_sid": SID, "auth_token": TOKEN, "twilio_number": TWILIO_NUMBER, "sender_secret": SECRET})
    store = InMemoryTrackerStore(Domain.empty())
    assistant = Assistant(store)
    app = Sanic(f"sms_test_{next(_apps)}", configure_logging=False)
    app.ctx.agent = SimpleNamespace(tracker_store=store)
    app.blueprint(channel.blueprint(assistant), url_prefix="/webhooks/twilio_sms")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.start_serving()
    port = sock.getsockname()[1]
    return server, Server(f"http://127.0.0.1:{port}", assistant, store, sent, twilio)


@pytest.fixture
async def bot(monkeypatch):
    server, handle = await start(monkeypatch)
    yield handle
    server.close()
    await server.wait_closed()


@pytest.fixture
async def start_server(monkeypatch):
    servers = []

    async def _start(**kwargs):
        server, handle = await start(monkeypatch, **kwargs)
        servers.append(server)
        return handle
    yield _start
    for server in servers:
        server.close()
        await server.wait_closed()


# -- signature ---------------------------------------------------------------------------------

async def test_health(bot):
    async with aiohttp.ClientSession() as session:
        async with session.get(bot.base + "/webhooks/twilio_sms/") as r:
            assert r.status == 200 and (await r.json()) == {"status": "ok"}


async def test_signed_message_reaches_the_assistant_under_a_hashed_id(bot):
    status, content_type, body = await bot.text(PRIVATE)
    assert status == 200
    assert content_type.startswith("text/xml")
    assert body == TWIML_EMPTY
    [message] = bot.assistant.received
    assert message.text == PRIVATE
    assert message.input_channel == "twilio_sms"
    assert message.sender_id == hmac_of(PHONE)
    assert PHONE not in message.sender_id and PHONE.lstrip("+") not in message.sender_id
    assert message.output_channel.name() == "twilio_sms"
    assert bot.sent == [{"to": PHONE, "from_": TWILIO_NUMBER, "body": "How can I help?"}]
    assert bot.twilio.clients == [(SID, TOKEN)]


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl", "sign-with-another-token"])
async def test_without_a_valid_signature_nothing_happens(bot, signature):
    if signature == "sign-with-another-token":
        signature = RequestValidator("f" * 32).compute_signature(bot.url, form(PRIVATE))
    status, _, body = await bot.post(form(PRIVATE), signature=signature)
    assert (status, body) == (403, "")
    assert bot.assistant.received == [] and bot.sent == [] and bot.twilio.clients == []
    assert list(await bot.store.keys()) == []


@pytest.mark.parametrize("body", ["STOP", "HELP", "1"])
async def test_keywords_and_options_need_a_signature_too(bot, body):
    await bot.text("hi")
    before = list(bot.sent)
    status, _, _ = await bot.post(form(body), signature="bm90IGEgc2lnbmF0dXJl")
    assert status == 403
    assert bot.sent == before and len(bot.assistant.received) == 1
    assert list(await bot.store.keys()) == [hmac_of(PHONE)]  # STOP did not forget anything


async def test_tampered_body_with_an_old_signature_is_refused(bot):
    signed = form("hi")
    status, _, body = await bot.post(form("STOP"), sign_params=signed)
    assert (status, body) == (403, "")
    forged = form("hi", number="+61499999999")  # someone else's number under my signature
    status, _, _ = await bot.post(forged, sign_params=signed)
    assert status == 403
    assert bot.assistant.received == [] and bot.sent == []


async def test_signature_for_another_url_is_refused(bot):
    status, _, _ = await bot.post(form("hi"), sign_url="https://elsewhere.example/webhooks/twilio_sms/webhook")
    assert status == 403 and bot.assistant.received == []


async def test_public_url_is_what_gets_checked_behind_a_proxy(start_server):
    public = "https://help.example.org/webhooks/twilio_sms/webhook"
    server = await start_server(credentials={"account_sid": SID, "auth_token": TOKEN, "twilio_number": TWILIO_NUMBER,
                                             "sender_secret": SECRET, "public_url": public})
    assert (await server.post(form("hi"), sign_url=public))[0] == 200
    assert (await server.post(form("hi")))[0] == 403  # signed for the internal URL: not what Twilio sees
    assert len(server.assistant.received) == 1


async def test_picture_only_message_with_blank_body_is_verified_and_answered(bot):
    # Twilio signs Body= too; Sanic's request.form drops blank values, which would break the check.
    status, _, _ = await bot.post(form("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/1"))
    assert status == 200
    assert bot.bodies() == [sms.MEDIA_REPLY]
    assert bot.assistant.received == []


async def test_empty_text_gets_a_gentle_prompt(bot):
    assert (await bot.text("   "))[0] == 200
    assert bot.bodies() == [sms.EMPTY_REPLY]
    assert bot.assistant.received == []


async def test_without_credentials_the_channel_refuses_everything(start_server, caplog):
    server = await start_server(credentials={"account_sid": "", "auth_token": "", "twilio_number": ""})
    unsigned = RequestValidator("").compute_signature(server.url, form("hi"))  # signed with the empty key
    assert (await server.post(form("hi"), signature=unsigned))[0] == 403
    assert server.assistant.received == [] and server.sent == []


# -- rendering -----------------------------------------------------------------------------------

async def test_markdown_is_stripped_and_long_replies_fit_one_sms(bot):
    line = "**Save evidence**: take screenshots with the date, time and _the URL_ showing. " * 3
    bot.assistant.replies = [("\n".join([line] * 40), None)]
    await bot.text("how do I save evidence")
    [body] = bot.bodies()
    assert len(body) <= SMS_LIMIT
    assert "**" not in body and "_the URL_" not in body
    assert body.startswith("Save evidence: take screenshots")


async def test_a_single_huge_line_is_cut_at_a_word(bot):
    bot.assistant.replies = [("word " * 1000, BUTTONS)]
    await bot.text("hi")
    [body] = bot.bodies()
    assert len(body) <= SMS_LIMIT
    assert body.endswith("Reply 1 for Save evidence, 2 for Where to report, 3 for Talk to someone.")
    assert "word..." in body


async def test_buttons_become_numbered_options(bot):
    bot.assistant.replies = [("Is there anything else you'd like to know?", BUTTONS)]
    await bot.text("thanks")
    assert bot.bodies() == ["Is there anything else you'd like to know?\n"
                            "Reply 1 for Save evidence, 2 for Where to report, 3 for Talk to someone."]


async def test_replies_to_one_text_are_packed_in_order_with_the_latest_options_only(bot):
    bot.assistant.replies = [("First.", [{"title": "Old", "payload": "/old"}]), ("Second.", None),
                             ("Where are you?", [{"title": "Australia", "payload": "Australia"}])]
    await bot.text("hi")
    assert bot.bodies() == ["First.\n\nSecond.\n\nWhere are you?\nReply 1 for Australia."]
    bot.assistant.replies = [("x" * 1000, None), ("y" * 1000, None)]
    await bot.text("more")
    assert bot.bodies()[1:] == ["x" * 1000, "y" * 1000]


async def test_reply_1_is_the_first_option_of_the_latest_message_with_options(bot):
    bot.assistant.replies = [("Anything else?", BUTTONS)]
    await bot.text("thanks")
    bot.assistant.replies = [("Noted.", None)]  # a later message without options does not reset them
    await bot.text("ok")
    await bot.text(" 1 ")
    await bot.text("3")
    assert [m.text for m in bot.assistant.received] == ["thanks", "ok", "/ask_evidence", "/human_handoff"]


async def test_a_number_without_such_an_option_passes_through(bot):
    await bot.text("7")  # no conversation yet
    bot.assistant.replies = [("Anything else?", BUTTONS)]
    await bot.text("thanks")
    await bot.text("7")
    await bot.text("12")
    assert [m.text for m in bot.assistant.received] == ["7", "thanks", "7", "12"]


def test_sms_text_and_pack():
    assert sms_text("**Bold** and _this_ \u2014 it\u2019s \u201cfine\u201d\u2026") == 'Bold and this - it\'s "fine"...'
    assert sms_text("", BUTTONS[:1]) == "Reply 1 for Save evidence."
    assert pack(["a", "", "b"], limit=4) == ["a\n\nb"]
    assert pack(["a", "b"], limit=3) == ["a", "b"]


# -- keywords ----------------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["STOP", "stop", " Stop. ", "STOPALL", "unsubscribe", "Cancel", "END", "quit"])
async def test_stop_forgets_the_conversation_and_sends_nothing(bot, word):
    await bot.text(PRIVATE)
    assert list(await bot.store.keys()) == [hmac_of(PHONE)]
    sent = len(bot.sent)
    status, _, body = await bot.text(word)
    assert (status, body) == (200, TWIML_EMPTY)
    assert list(await bot.store.keys()) == []
    assert len(bot.sent) == sent
    assert len(bot.assistant.received) == 1


async def test_stop_only_forgets_that_person(bot):
    await bot.text("hi")
    await bot.text("hi", number="+447700900123")
    await bot.text("STOP")
    assert list(await bot.store.keys()) == [hmac_of("+447700900123")]


@pytest.mark.parametrize("word", ["START", "unstop", "HELP", "info", "Help "])
async def test_start_and_help_carry_every_emergency_number_and_fit(bot, word):
    status, _, _ = await bot.text(word)
    assert status == 200
    [body] = bot.bodies()
    assert len(body) <= SMS_LIMIT
    for number in emergency_numbers():
        assert number in body
    for line in covered_numbers(load_knowledge()):
        assert line in body
    assert bot.assistant.received == []  # answered here, not by NLU
    if word.strip().upper() in ("HELP", "INFO"):
        assert "automated assistant" in body and "not legal advice" in body and "Text STOP to stop." in body
    else:
        assert body.startswith("Hi, you can text me about online harassment")


async def test_help_words_inside_a_message_go_to_the_assistant(bot):
    await bot.text("help me please, stop them")
    assert [m.text for m in bot.assistant.received] == ["help me please, stop them"]


# -- failures and privacy --------------------------------------------------------------------

async def test_a_failing_assistant_still_gives_the_emergency_numbers(bot):
    bot.assistant.fail = True
    status, _, body = await bot.text(PRIVATE)
    assert (status, body) == (200, TWIML_EMPTY)
    [reply] = bot.bodies()
    assert reply.startswith("Sorry, something went wrong")
    for number in emergency_numbers():
        assert number in reply


async def test_a_refused_send_is_logged_without_the_number(start_server, caplog):
    caplog.set_level(logging.DEBUG)
    error = TwilioRestException(400, "https://api.twilio.com", msg=f"The 'To' number {PHONE} is not valid",
                                code=21211)
    server = await start_server(fail_send=error)
    status, _, _ = await server.text(PRIVATE)
    assert status == 200
    assert "21211" in caplog.text
    assert PHONE not in caplog.text and PRIVATE not in caplog.text


async def test_logs_and_tracker_store_never_hold_the_number_or_the_text(bot, caplog):
    caplog.set_level(logging.DEBUG)
    bot.assistant.replies = [("Anything else?", BUTTONS)]
    for body in (PRIVATE, "1", "HELP", "START", "", "STOP", PRIVATE):
        await bot.text(body)
    await bot.post(form(PRIVATE), signature="bm90IGEgc2lnbmF0dXJl")
    digits = PHONE.lstrip("+")
    assert "received" in caplog.text  # the channel did log, just not the content
    for secret in (digits, PRIVATE):
        assert secret not in caplog.text
    keys = list(await bot.store.keys())
    assert keys == [hmac_of(PHONE)]
    for key in keys:
        assert digits not in key
        assert digits not in bot.store.store[key]  # the serialised conversation itself


async def test_sender_ids_are_keyed_with_the_secret(start_server):
    other = await start_server(credentials={"account_sid": SID, "auth_token": TOKEN, "twilio_number": TWILIO_NUMBER,
                                            "sender_secret": "another-secret"})
    await other.text("hi")
    assert other.assistant.received[0].sender_id == hmac_of(PHONE, "another-secret") != hmac_of(PHONE)
