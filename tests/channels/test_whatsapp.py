"""The Twilio WhatsApp channel over real HTTP, as for SMS: a Sanic server on a free local port,
requests signed the way Twilio signs them, Twilio's REST client replaced by a fake
(tests/channels/twilio_fakes.py). It shares its code with SMS (bot/channels/twilio_base.py);
these tests check the same guarantees through WhatsApp's own webhook and addresses."""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

import aiohttp
import pytest
from rasa.shared.utils.io import read_config_file
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio_fakes import BUTTONS, SECRET, SID, TOKEN, emergency_numbers, hmac_of
from twilio_fakes import start as start_channel

from bot.answers import covered_numbers, emergency_answer
from bot.channels.twilio_text import WHATSAPP
from bot.channels.whatsapp import TWIML_EMPTY, TwilioWhatsAppInput, WhatsAppWording
from bot.config import PROJECT_ROOT, settings
from bot.knowledge import load_knowledge
from bot.render import to_markdown

OUR_NUMBER = "+14155238886"
PHONE = "+27821234567"
ADDRESS = "whatsapp:" + PHONE
PREFIX = "/webhooks/whatsapp"
PRIVATE = "my ex is sharing my photos in a WhatsApp group"
CREDENTIALS = {"account_sid": SID, "auth_token": TOKEN, "whatsapp_number": OUR_NUMBER, "sender_secret": SECRET}


def form(body: str, address: str = ADDRESS, **extra: str) -> Dict[str, str]:
    return {
        "SmsMessageSid": "SM" + "2" * 32,
        "NumMedia": "0",
        "ProfileName": "Thandi",
        "WaId": address[9:].lstrip("+"),
        "SmsStatus": "received",
        "Body": body,
        "To": "whatsapp:" + OUR_NUMBER,
        "NumSegments": "1",
        "MessageSid": "SM" + "2" * 32,
        "AccountSid": SID,
        "From": address,
        "ApiVersion": "2010-04-01",
        **extra,
    }


async def start(monkeypatch, credentials: Optional[Dict[str, Any]] = None, fail_send: Optional[Exception] = None):
    channel = TwilioWhatsAppInput.from_credentials(credentials or CREDENTIALS)
    return await start_channel(monkeypatch, channel, PREFIX, form, fail_send)


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


def credentials_yml_entry():
    """The WhatsApp channel's entry in credentials.yml, read the way Rasa reads it."""
    return read_config_file(str(PROJECT_ROOT / "credentials.yml"))["bot.channels.whatsapp.TwilioWhatsAppInput"]


def test_credentials_yml_mounts_it_at_webhooks_whatsapp_without_values():
    assert credentials_yml_entry() is None  # its settings come from bot/config.py
    assert set(TwilioWhatsAppInput.defaults) == {
        "account_sid",
        "auth_token",
        "whatsapp_number",
        "sender_secret",
        "public_url",
    }
    assert TwilioWhatsAppInput.name() == "whatsapp"  # Rasa mounts a channel at /webhooks/<name>/


async def test_credentials_yml_without_values_takes_the_settings_from_the_environment(monkeypatch):
    public = "https://help.example.org/webhooks/whatsapp/webhook"
    for name, value in {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_WHATSAPP_NUMBER": OUR_NUMBER,
        "SMS_SENDER_SECRET": SECRET,
        "TWILIO_WHATSAPP_PUBLIC_URL": public,
        "TWILIO_NUMBER": "+15005550006",  # SMS's number and URL are not WhatsApp's
        "TWILIO_SMS_PUBLIC_URL": "https://help.example.org/webhooks/twilio_sms/webhook",
    }.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    server, bot = await start_channel(
        monkeypatch, TwilioWhatsAppInput.from_credentials(credentials_yml_entry()), PREFIX, form
    )
    try:
        assert (await bot.post(form("hi")))[0] == 403  # signed for the internal URL, not the public one
        assert (await bot.post(form(PRIVATE), sign_url=public))[0] == 200
        [message] = bot.assistant.received
        assert message.sender_id == hmac_of(ADDRESS)
        assert bot.sent == [{"to": ADDRESS, "from_": "whatsapp:" + OUR_NUMBER, "body": "How can I help?"}]
        assert bot.twilio.clients == [(SID, TOKEN)]
    finally:
        server.close()
        await server.wait_closed()


def test_with_only_the_sms_settings_whatsapp_is_off(monkeypatch):
    for name, value in {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_NUMBER": OUR_NUMBER}.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    assert TwilioWhatsAppInput.from_credentials(credentials_yml_entry()).enabled is False
    monkeypatch.setenv("TWILIO_WHATSAPP_NUMBER", OUR_NUMBER)
    settings.cache_clear()
    assert TwilioWhatsAppInput.from_credentials(credentials_yml_entry()).enabled is True


# -- signature ---------------------------------------------------------------------------------


async def test_health(bot):
    async with aiohttp.ClientSession() as session:
        async with session.get(bot.base + PREFIX + "/") as r:
            assert r.status == 200 and (await r.json()) == {"status": "ok"}


async def test_signed_message_reaches_the_assistant_under_a_hashed_id(bot):
    status, content_type, body = await bot.text(PRIVATE)
    assert (status, body) == (200, TWIML_EMPTY) and content_type.startswith("text/xml")
    [message] = bot.assistant.received
    assert message.text == PRIVATE
    assert message.input_channel == "whatsapp"
    assert message.sender_id == hmac_of(ADDRESS)
    assert PHONE.lstrip("+") not in message.sender_id
    assert message.output_channel.name() == "whatsapp"
    # The reply goes back over WhatsApp, from our WhatsApp sender.
    assert bot.sent == [{"to": ADDRESS, "from_": "whatsapp:" + OUR_NUMBER, "body": "How can I help?"}]
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
    assert list(await bot.store.keys()) == [hmac_of(ADDRESS)]


async def test_tampered_body_or_sender_under_an_old_signature_is_refused(bot):
    signed = form("hi")
    assert (await bot.post(form("STOP"), sign_params=signed))[0] == 403
    assert (await bot.post(form("hi", address="whatsapp:+27829999999"), sign_params=signed))[0] == 403
    assert bot.assistant.received == [] and bot.sent == []


async def test_a_signature_made_for_the_sms_webhook_is_refused_here(bot):
    status, _, _ = await bot.post(form("hi"), sign_url=bot.base + "/webhooks/twilio_sms/webhook")
    assert status == 403 and bot.assistant.received == []


async def test_public_url_is_what_gets_checked_behind_a_proxy(start_server):
    public = "https://help.example.org/webhooks/whatsapp/webhook"
    server = await start_server(credentials={**CREDENTIALS, "public_url": public})
    assert (await server.post(form("hi"), sign_url=public))[0] == 200
    assert (await server.post(form("hi")))[0] == 403
    assert len(server.assistant.received) == 1


@pytest.mark.parametrize("missing", ["account_sid", "auth_token", "whatsapp_number"])
async def test_with_any_setting_empty_the_channel_is_off(start_server, missing):
    server = await start_server(credentials={**CREDENTIALS, missing: ""})
    token = "" if missing == "auth_token" else TOKEN
    signed = RequestValidator(token).compute_signature(server.url, form("hi"))
    assert (await server.post(form("hi"), signature=signed))[0] == 403
    assert server.assistant.received == [] and server.sent == []


async def test_an_sms_sender_on_the_whatsapp_webhook_gets_nothing(bot):
    status, _, body = await bot.post(form("hi", address=PHONE))
    assert (status, body) == (200, TWIML_EMPTY)
    assert bot.assistant.received == [] and bot.sent == []


# -- media and empty messages -----------------------------------------------------------------


async def test_a_voice_note_gets_a_request_to_type(bot):
    status, _, _ = await bot.post(
        form("", NumMedia="1", MediaContentType0="audio/ogg", MediaUrl0="https://api.twilio.com/media/1")
    )
    assert status == 200
    assert bot.bodies() == [WhatsAppWording.media]
    assert bot.assistant.received == []


async def test_a_shared_location_without_text_gets_a_gentle_prompt(bot):
    assert (await bot.post(form("", Latitude="-33.9", Longitude="18.4")))[0] == 200
    assert bot.bodies() == [WhatsAppWording.empty]


# -- rendering ---------------------------------------------------------------------------------


async def test_markdown_becomes_whatsapp_formatting_within_its_limit(bot):
    answer = emergency_answer(load_knowledge(), "ZA")
    answer.legal = True
    bot.assistant.replies = [(to_markdown(answer), BUTTONS)]
    await bot.text("he is at my door")
    [body] = bot.bodies()
    assert len(body) <= WHATSAPP.limit
    assert "**" not in body
    assert "*Emergency (South Africa)*" in body  # a heading, in WhatsApp's bold
    assert "- *SAPS emergency (10111)*: 10111" in body
    assert "0800 567 567" in body  # SADAG
    assert "_This is general legal information, not legal advice._" in body
    assert body.endswith("Reply 1 for Save evidence, 2 for Where to report, 3 for Talk to someone.")


async def test_a_long_answer_is_cut_to_1600_keeping_a_source_and_the_options(bot):
    lines = "\n".join(f"- **Step {i}**: keep a copy of message {i} with its date." for i in range(200))
    text = f"**Save evidence**\n{lines}\n\nSources: https://www.esafety.gov.au/a, https://www.netsafe.org.nz/b"
    bot.assistant.replies = [(text, BUTTONS)]
    await bot.text("evidence")
    [body] = bot.bodies()
    assert 1400 < len(body) <= 1600
    assert body.startswith("*Save evidence*\n- *Step 0*: keep a copy")
    assert "Source: https://www.esafety.gov.au/a\n" in body  # cut: the first source stays
    assert body.endswith("3 for Talk to someone.")


async def test_reply_2_is_the_second_option(bot):
    bot.assistant.replies = [("Anything else?", BUTTONS)]
    await bot.text("thanks")
    await bot.text("2")
    await bot.text("9")
    assert [m.text for m in bot.assistant.received] == ["thanks", "/ask_report", "9"]


# -- keywords ----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "stop", "Stop.", "unsubscribe", "QUIT"])
async def test_stop_forgets_the_conversation_and_confirms_once(bot, word):
    await bot.text(PRIVATE)
    await bot.text("hi", number="whatsapp:+447700900123")
    bot.sent.clear()
    status, _, body = await bot.text(word)
    assert (status, body) == (200, TWIML_EMPTY)
    assert list(await bot.store.keys()) == [hmac_of("whatsapp:+447700900123")]  # only that person
    assert bot.bodies() == [WhatsAppWording.stopped]
    assert len(bot.assistant.received) == 2


async def test_stop_while_a_message_is_being_answered_keeps_it_forgotten(bot):
    await bot.text("hi")

    async def stop_meanwhile():
        bot.assistant.during = None
        await bot.text("STOP")

    bot.assistant.during = stop_meanwhile
    bot.sent.clear()
    assert (await bot.text(PRIVATE))[0] == 200
    assert list(await bot.store.keys()) == []
    assert bot.bodies() == [WhatsAppWording.stopped]  # the confirmation, and not the answer


@pytest.mark.parametrize("word", ["START", "HELP", "info"])
async def test_start_and_help_carry_every_emergency_number(bot, word):
    assert (await bot.text(word))[0] == 200
    [body] = bot.bodies()
    assert len(body) <= WHATSAPP.limit
    for number in emergency_numbers():
        assert number in body
    for line in covered_numbers(load_knowledge()):
        assert line in body
    assert bot.assistant.received == []
    if word.upper() != "START":
        assert "not legal advice" in body and "delete this chat" in body and "Send STOP to stop." in body


# -- failures and privacy --------------------------------------------------------------------


async def test_a_failing_assistant_still_gives_the_emergency_numbers(bot):
    bot.assistant.fail = True
    assert (await bot.text(PRIVATE))[0] == 200
    [reply] = bot.bodies()
    assert reply.lower().startswith("i'm sorry, something went wrong")
    for number in emergency_numbers():
        assert number in reply


async def test_a_silent_assistant_still_gives_a_reply(bot):
    bot.assistant.replies = []  # e.g. the action server is down and Rasa said nothing
    await bot.text(PRIVATE)
    [reply] = bot.bodies()
    assert reply.lower().startswith("i'm sorry, something went wrong")


async def test_a_refused_send_is_logged_without_the_number(start_server, caplog):
    caplog.set_level(logging.DEBUG)
    error = TwilioRestException(
        400, "https://api.twilio.com", msg=f"The 'To' number {ADDRESS} is not valid", code=63016
    )
    server = await start_server(fail_send=error)
    assert (await server.text(PRIVATE))[0] == 200
    assert "63016" in caplog.text
    assert PHONE.lstrip("+") not in caplog.text and PRIVATE not in caplog.text


async def test_logs_and_tracker_store_never_hold_the_number_or_the_text(bot, caplog):
    caplog.set_level(logging.DEBUG)
    bot.assistant.replies = [("Anything else?", BUTTONS)]
    for body in (PRIVATE, "1", "HELP", "START", "", "STOP", PRIVATE):
        await bot.text(body)
    await bot.post(form(PRIVATE), signature="bm90IGEgc2lnbmF0dXJl")
    digits = PHONE.lstrip("+")
    assert "received" in caplog.text
    assert digits not in caplog.text and PRIVATE not in caplog.text and "Thandi" not in caplog.text
    keys = list(await bot.store.keys())
    assert keys == [hmac_of(ADDRESS)]
    assert digits not in keys[0] and digits not in bot.store.store[keys[0]]
    assert "Thandi" not in bot.store.store[keys[0]]  # WhatsApp's ProfileName is never stored


async def test_whatsapp_and_sms_conversations_of_one_number_stay_apart():
    sms_id = hmac_of(PHONE)
    assert hmac_of(ADDRESS) != sms_id
    channel = TwilioWhatsAppInput.from_credentials(CREDENTIALS)
    assert channel.sender_id(ADDRESS) == hmac_of(ADDRESS)
