"""The WhatsApp channel: Twilio's WhatsApp API, for the many people (in South Africa above all)
who reach help services on WhatsApp.

Mounted by Rasa at /webhooks/whatsapp/ (see credentials.yml):

    GET  /webhooks/whatsapp/          health check
    POST /webhooks/whatsapp/webhook   Twilio's incoming-message webhook for the WhatsApp sender
                                      (form: From=whatsapp:+61..., Body, ...) -> empty TwiML

It gives the same guarantees as SMS, from the same code (bot/channels/twilio_base.py):
the X-Twilio-Signature check (403 and nothing done without a valid one), conversations
keyed by an HMAC of the sender's address (never the number), STOP forgets the conversation,
START/HELP answered here, numbered options, never silent, off while its settings are empty
(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_NUMBER; bot/config.py).
What is WhatsApp's own:

- *bold* and _italic_ are shown natively (bot/channels/twilio_text.py says why), and a
  message may hold 1,600 characters, Twilio's limit for a WhatsApp body;
- addresses carry the "whatsapp:" prefix: ours is "whatsapp:" + `whatsapp_number`, and a
  request whose From lacks it (an SMS webhook pointed here by mistake) gets no reply;
- STOP is confirmed in one short message: Twilio applies no opt-out of its own to WhatsApp
  senders, so without it the person would not know it worked;
- voice notes, pictures and locations arrive without text: the person is asked to type.
"""

from __future__ import annotations

from typing import Text

from bot.channels.twilio_base import TWIML_EMPTY, TwilioInput, TwilioOutput, Wording
from bot.channels.twilio_text import WHATSAPP

__all__ = ["TWIML_EMPTY", "TwilioWhatsAppInput", "TwilioWhatsAppOutput", "WhatsAppWording", "PREFIX"]

PREFIX = "whatsapp:"


class WhatsAppWording(Wording):
    empty = "Please type what is happening, or HELP."
    media = "I can't open voice messages, pictures or files here. Please type what is happening, " "or HELP."
    welcome = (
        "Hi, you can message me about online harassment, threats, doxxing or abuse. "
        "Tell me what is happening, and where you are if you are comfortable sharing."
    )
    monitored = "If someone else may read this phone, delete this chat when you are done."
    stop_hint = "Send STOP to stop. I then forget this conversation."
    stopped = (
        "Done: I have forgotten this conversation. If someone else may read this phone, "
        "you can delete this chat too."
    )


class TwilioWhatsAppOutput(TwilioOutput):
    channel = "whatsapp"
    style = WHATSAPP


class TwilioWhatsAppInput(TwilioInput):
    """Twilio WhatsApp webhook (see bot/channels/twilio_base.py for what every Twilio channel does)."""

    channel = "whatsapp"
    output_class = TwilioWhatsAppOutput
    wording = WhatsAppWording
    number_setting = "whatsapp_number"
    defaults = {
        "account_sid": "twilio_account_sid",
        "auth_token": "twilio_auth_token",
        "whatsapp_number": "twilio_whatsapp_number",
        "sender_secret": "sms_sender_secret",
        "public_url": "twilio_whatsapp_public_url",
    }

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def sender_address(self) -> str:
        number = self.number
        return number if number.lower().startswith(PREFIX) else PREFIX + number

    def accepts(self, address: str) -> bool:
        return address.lower().startswith(PREFIX)
