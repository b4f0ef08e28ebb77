"""The SMS channel: Twilio Programmable Messaging, for people who can only (or would rather) text.

Mounted by Rasa at /webhooks/twilio_sms/ (see credentials.yml):

    GET  /webhooks/twilio_sms/          health check
    POST /webhooks/twilio_sms/webhook   Twilio's incoming-message webhook (form: From, Body, ...)
                                        -> empty TwiML; the replies go out through Twilio's REST API

Everything it shares with WhatsApp (signature check, HMAC conversation ids, STOP/START/HELP,
numbered options, packing, never silent) is in bot/channels/twilio_base.py; the Markdown to
text conversion is in bot/channels/twilio_text.py. What is SMS's own:

- plain text without markup, typography swapped for GSM-7, at most ten segments (1,530
  characters in GSM-7, 670 when a message needs UCS-2);
- STOP deletes the conversation and sends nothing: Twilio's carrier-level opt-out already
  confirms it (and blocks replies until the person texts START);
- some carriers turn "@" into "¡"; it is turned back;
- its settings (bot/config.py), unless credentials.yml gives them: TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN, TWILIO_NUMBER, SMS_SENDER_SECRET, TWILIO_SMS_PUBLIC_URL (the base's
  `defaults`).
"""

from __future__ import annotations

from typing import Text

from sanic.request import RequestParameters

from bot.channels.twilio_base import TWIML_EMPTY, TwilioInput, TwilioOutput, Wording
from bot.channels.twilio_text import SMS, pack, render

__all__ = ["TWIML_EMPTY", "TwilioSmsInput", "TwilioSmsOutput", "SmsWording", "pack", "sms_text"]


class SmsWording(Wording):
    pass  # the shared wording is SMS's ("text", "thread")


class TwilioSmsOutput(TwilioOutput):
    channel = "twilio_sms"
    style = SMS


class TwilioSmsInput(TwilioInput):
    """Twilio SMS webhook (see bot/channels/twilio_base.py for what every Twilio channel does)."""

    channel = "twilio_sms"
    output_class = TwilioSmsOutput
    wording = SmsWording
    number_setting = "twilio_number"

    @classmethod
    def name(cls) -> Text:
        return "twilio_sms"

    def accepts(self, address: str) -> bool:
        return not address.lower().startswith("whatsapp:")  # WhatsApp has its own webhook

    def incoming_text(self, params: RequestParameters) -> str:
        return (params.get("Body") or "").replace("¡", "@").strip()  # some carriers turn @ into ¡


def sms_text(text, buttons=()) -> str:
    """One bot message as one SMS."""
    return render(text, buttons, SMS)


MEDIA_REPLY = SmsWording.media
EMPTY_REPLY = SmsWording.empty
