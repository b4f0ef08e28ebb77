"""The Twilio SMS channel over real HTTP: a Sanic server on a free local port, requests signed
the way Twilio signs them (with a test auth token), Twilio's REST client replaced by a fake
(tests/channels/twilio_fakes.py)."""

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

import bot.channels.sms as sms
from bot.answers import covered_numbers
from bot.channels.sms import TWIML_EMPTY, TwilioSmsInput, pack, sms_text
from bot.channels.twilio_text import SMS
from bot.config import PROJECT_ROOT, settings
from bot.knowledge import load_knowledge

SMS_LIMIT = SMS.limit
TWILIO_NUMBER = "+15005550006"
PHONE = "+61400111222"
PATH = "/webhooks/twilio_sms/webhook"
PRIVATE = "my ex posted my home address on a forum"


def form(body: str, number: str = PHONE, **extra: str) -> Dict[str, str]:
    return {
        "ToCountry": "US",
        "SmsMessageSid": "SM" + "1" * 32,
        "NumMedia": "0",
        "From": number,
        "To": TWILIO_NUMBER,
        "Body": body,
        "AccountSid": SID,
        "ApiVersion": "2010-04-01",
        **extra,
    }


async def start(monkeypatch, credentials: Optional[Dict[str, Any]] = None, fail_send: Optional[Exception] = None):
    channel = TwilioSmsInput.from_credentials(
        credentials
        or {"account_sid": SID, "auth_token": TOKEN, "twilio_number": TWILIO_NUMBER, "sender_secret": SECRET}
    )
    return await start_channel(monkeypatch, channel, "/webhooks/twilio_sms", form, fail_send)


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
    server = await start_server(
        credentials={
            "account_sid": SID,
            "auth_token": TOKEN,
            "twilio_number": TWILIO_NUMBER,
            "sender_secret": SECRET,
            "public_url": public,
        }
    )
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


# -- settings: credentials.yml names the channel, bot/config.py (the environment) fills it in ---


def credentials_yml_entry():
    """The SMS channel's entry in credentials.yml, read the way Rasa reads it."""
    return read_config_file(str(PROJECT_ROOT / "credentials.yml"))["bot.channels.sms.TwilioSmsInput"]


def set_env(monkeypatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()


async def serve(monkeypatch, channel):
    server, handle = await start_channel(monkeypatch, channel, "/webhooks/twilio_sms", form)
    return server, handle


def test_credentials_yml_names_the_channel_without_values():
    assert credentials_yml_entry() is None  # nothing for Rasa to substitute, so nothing to set
    assert TwilioSmsInput.name() == "twilio_sms"  # Rasa mounts a channel at /webhooks/<name>/


async def test_credentials_yml_without_values_takes_the_settings_from_the_environment(monkeypatch):
    set_env(
        monkeypatch,
        TWILIO_ACCOUNT_SID=SID,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_NUMBER=TWILIO_NUMBER,
        SMS_SENDER_SECRET="secret-from-the-environment",
        TWILIO_WHATSAPP_NUMBER="+14155238886",  # WhatsApp's number is not SMS's
    )
    channel = TwilioSmsInput.from_credentials(credentials_yml_entry())
    server, bot = await serve(monkeypatch, channel)
    try:
        assert (await bot.text(PRIVATE))[0] == 200
        [message] = bot.assistant.received
        assert message.sender_id == hmac_of(PHONE, "secret-from-the-environment")
        assert bot.sent == [{"to": PHONE, "from_": TWILIO_NUMBER, "body": "How can I help?"}]
        assert bot.twilio.clients == [(SID, TOKEN)]
    finally:
        server.close()
        await server.wait_closed()


async def test_the_public_url_can_come_from_the_environment(monkeypatch):
    public = "https://help.example.org/webhooks/twilio_sms/webhook"
    set_env(monkeypatch, TWILIO_SMS_PUBLIC_URL=public, TWILIO_WHATSAPP_PUBLIC_URL="https://elsewhere.example/")
    channel = TwilioSmsInput.from_credentials(
        {"account_sid": SID, "auth_token": TOKEN, "twilio_number": TWILIO_NUMBER, "sender_secret": SECRET}
    )
    server, bot = await serve(monkeypatch, channel)
    try:
        assert (await bot.post(form("hi"), sign_url=public))[0] == 200
        assert (await bot.post(form("hi")))[0] == 403
    finally:
        server.close()
        await server.wait_closed()


async def test_with_nothing_set_the_channel_is_mounted_but_refuses_everything(monkeypatch, caplog):
    channel = TwilioSmsInput.from_credentials(credentials_yml_entry())
    assert channel.enabled is False
    assert "account_sid, auth_token, twilio_number not set" in caplog.text
    server, bot = await serve(monkeypatch, channel)
    try:
        unsigned = RequestValidator("").compute_signature(bot.url, form("hi"))  # signed with the empty key
        assert (await bot.post(form("hi"), signature=unsigned))[0] == 403
        assert (await bot.post(form("hi")))[0] == 403
        assert bot.assistant.received == [] and bot.sent == []
    finally:
        server.close()
        await server.wait_closed()


def test_a_value_in_credentials_yml_wins_over_the_environment(monkeypatch):
    set_env(monkeypatch, TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_NUMBER="+15005550009")
    channel = TwilioSmsInput.from_credentials({"twilio_number": TWILIO_NUMBER})
    assert channel.enabled and channel.number == TWILIO_NUMBER and channel.account_sid == SID
    # An empty value written there switches the channel off, whatever the environment says.
    assert TwilioSmsInput.from_credentials({"auth_token": ""}).enabled is False


def test_a_number_yaml_read_as_a_number_is_a_clear_error():
    with pytest.raises(ValueError, match="twilio_number of twilio_sms must be quoted text"):
        TwilioSmsInput.from_credentials({"twilio_number": 15005550006})  # `twilio_number: +15005550006`


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
    assert bot.bodies() == [
        "Is there anything else you'd like to know?\n"
        "Reply 1 for Save evidence, 2 for Where to report, 3 for Talk to someone."
    ]


async def test_replies_to_one_text_are_packed_in_order_with_the_latest_options_only(bot):
    bot.assistant.replies = [
        ("First.", [{"title": "Old", "payload": "/old"}]),
        ("Second.", None),
        ("Where are you?", [{"title": "Australia", "payload": "Australia"}]),
    ]
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
    assert pack(["a", "", "b"], SMS) == ["a\n\nb"]
    assert pack(["a" * 1000, "b" * 600], SMS) == ["a" * 1000, "b" * 600]


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
    assert reply.lower().startswith("i'm sorry, something went wrong")
    for number in emergency_numbers():
        assert number in reply


async def test_a_refused_send_is_logged_without_the_number(start_server, caplog):
    caplog.set_level(logging.DEBUG)
    error = TwilioRestException(400, "https://api.twilio.com", msg=f"The 'To' number {PHONE} is not valid", code=21211)
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
    other = await start_server(
        credentials={
            "account_sid": SID,
            "auth_token": TOKEN,
            "twilio_number": TWILIO_NUMBER,
            "sender_secret": "another-secret",
        }
    )
    await other.text("hi")
    assert other.assistant.received[0].sender_id == hmac_of(PHONE, "another-secret") != hmac_of(PHONE)


# -- shared with WhatsApp: STOP racing an answer, misrouted senders, Markdown answers ----------


async def test_stop_while_a_message_is_being_answered_keeps_it_forgotten(bot):
    await bot.text("hi")
    bot.sent.clear()

    async def stop_meanwhile():
        bot.assistant.during = None
        assert (await bot.text("STOP"))[0] == 200  # a second request, while the first is answered

    bot.assistant.during = stop_meanwhile
    bot.assistant.replies = [("Here is what you can do.", BUTTONS)]
    status, _, _ = await bot.text(PRIVATE)
    assert status == 200
    assert list(await bot.store.keys()) == []  # the answer did not bring the conversation back
    assert bot.sent == []  # and the person who said STOP got nothing more


async def test_a_whatsapp_sender_on_the_sms_webhook_gets_nothing(bot):
    status, _, body = await bot.text("hi", number="whatsapp:" + PHONE)
    assert (status, body) == (200, TWIML_EMPTY)
    assert bot.assistant.received == [] and bot.sent == []


async def test_a_knowledge_base_answer_in_markdown_reads_well_as_sms(bot):
    from bot.answers import emergency_answer
    from bot.render import to_markdown

    answer = emergency_answer(load_knowledge(), "AU")
    answer.legal = True
    bot.assistant.replies = [(to_markdown(answer), BUTTONS)]
    await bot.text("he is outside my house")
    [body] = bot.bodies()
    assert len(body) <= SMS_LIMIT
    assert "**" not in body and "_This" not in body
    assert "Emergency (Australia):\n- Triple Zero (000): 000" in body
    assert "13 11 14" in body  # Lifeline
    assert "This is general legal information, not legal advice." in body
    assert body.endswith("Reply 1 for Save evidence, 2 for Where to report, 3 for Talk to someone.")


async def test_text_in_another_script_stays_within_ten_ucs2_segments(bot):
    bot.assistant.replies = [("\n".join(["如果你有危险，请拨打紧急电话。"] * 100), None)]
    await bot.text("hi")
    [body] = bot.bodies()
    assert 600 < len(body) <= 670
