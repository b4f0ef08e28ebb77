"""The SMS channel: Twilio Programmable Messaging, for people who can only (or would rather) text.

Mounted by Rasa at /webhooks/twilio_sms/ (see credentials.yml):

    GET  /webhooks/twilio_sms/          health check
    POST /webhooks/twilio_sms/webhook   Twilio's incoming-message webhook (form: From, Body, ...)
                                        -> empty TwiML; the replies go out through Twilio's REST API

Every POST must carry a valid X-Twilio-Signature for the URL Twilio called (`public_url`
when Rasa sits behind a proxy) and the exact form it sent; anything else gets 403 with an
empty body and nothing happens.

The person may be on a monitored phone, so:
- the conversation id is an HMAC of the phone number (keyed with `sender_secret`), never
  the number: trackers, locks and logs only ever see the HMAC. The number itself lives only
  in the output channel made for one request, to address the reply;
- nothing here logs a phone number or message text (lengths, at debug level, at most);
- STOP (and Twilio's other opt-out words) deletes the conversation and sends nothing: the
  carrier-level opt-out already confirms it. START and HELP are answered here, without NLU.

Replies are plain text (no Markdown), cut to SMS_LIMIT, with buttons as numbered options;
a reply of just "1".."9" is turned back into that option's payload. All replies to one
incoming text are packed into as few SMS as possible and sent in order.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import traceback
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Text, Tuple
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.answers import covered_numbers
from bot.knowledge import load_knowledge
from bot.privacy import forget
from bot.render import SMS_LIMIT, fit, sms_options, strip_markup

logger = logging.getLogger(__name__)

TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
SIGNATURE_HEADER = "X-Twilio-Signature"

# Twilio's default opt-out / opt-in / help keywords (matched on the whole message, any case).
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
OPTION = re.compile(r"^\s*([1-9])\s*$")

SEND_TIMEOUT = 15  # seconds per REST call; retries are for failed connections only (never a double send)
SEND_RETRIES = 2

EMPTY_REPLY = "Please text what is happening, or HELP."
MEDIA_REPLY = "I can't open pictures or files here. Please text what is happening, or HELP."
WELCOME = ("Hi, you can text me about online harassment, threats, doxxing or abuse. "
           "Tell me what is happening, and where you are if you are comfortable sharing.")
HELP = ("This is an automated assistant for people facing online harassment, threats, doxxing "
        "or abuse. It gives general information, not legal advice.")
MONITORED = "If someone else may read your texts, delete this thread when you are done."
STOP_HINT = "Text STOP to stop. I then forget this conversation."
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."

# Typography that would force a whole SMS into UCS-2 (67 instead of 153 characters a segment).
_GSM = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                      "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u2022": "-"})


# -- text ------------------------------------------------------------------------------------

def danger_lines() -> List[str]:
    """"In danger? Call:" and one line per covered country, from the knowledge base."""
    return ["In danger? Call:"] + covered_numbers(load_knowledge())


def welcome_text() -> str:
    return fit([WELCOME], danger_lines(), SMS_LIMIT)


def help_text() -> str:
    return fit([HELP, MONITORED], danger_lines() + [STOP_HINT], SMS_LIMIT)


def sorry_text() -> str:
    try:
        return fit([SORRY], danger_lines(), SMS_LIMIT)
    except Exception:  # noqa: BLE001 - the knowledge base itself failed; still say something
        return SORRY + " If you are in danger, call your local emergency number."


def sms_text(text: Optional[str], buttons: Sequence = (), limit: int = SMS_LIMIT) -> str:
    """One bot message as one SMS: no markup, options as numbers, at most `limit` characters.

    Whole lines are kept from the top (the numbered options always survive); a first line
    that alone is too long is cut at a word."""
    options = sms_options(buttons)
    plain = strip_markup((text or "").translate(_GSM)).strip()
    budget = limit - (len(options) + 1 if options else 0)
    if len(plain) > budget:
        kept = fit([line.rstrip() for line in plain.split("\n")], [], budget)
        plain = kept if kept.strip() else _cut(plain, budget)
    return "\n".join(part for part in (plain, options) if part)[:limit]


def _cut(text: str, limit: int) -> str:
    head = text[: max(limit - 3, 0)]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + "..."


def pack(bodies: Sequence[str], limit: int = SMS_LIMIT) -> List[str]:
    """Join consecutive messages (blank line between) while they fit in one SMS."""
    packed: List[str] = []
    for body in bodies:
        if not body:
            continue
        if packed and len(packed[-1]) + 2 + len(body) <= limit:
            packed[-1] += "\n\n" + body
        else:
            packed.append(body)
    return packed


def _keyword(text: str) -> str:
    return text.strip().rstrip(".!").strip().upper()


def _latest_buttons(tracker: Any) -> List[Dict[str, Any]]:
    """The buttons of the latest bot message that had any (quick replies count too)."""
    for event in reversed(list(getattr(tracker, "events", None) or [])):
        if isinstance(event, BotUttered):
            buttons = (event.data or {}).get("buttons") or (event.data or {}).get("quick_replies")
            if buttons:
                return list(buttons)
    return []


def _form(request: Request) -> RequestParameters:
    """The form exactly as Twilio signed it. Sanic's `request.form` drops blank values
    (a picture-only MMS has `Body=`), which would break the signature."""
    try:
        body = (request.body or b"").decode("utf-8")
    except UnicodeDecodeError:
        return RequestParameters()
    return RequestParameters(parse_qs(body, keep_blank_values=True))


def _where(exc: BaseException) -> str:
    """Where an exception happened, without its message (which may quote a number or text)."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    return " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames))


# -- output ----------------------------------------------------------------------------------

class TwilioSmsOutput(OutputChannel):
    """Replies to one phone number. Rasa passes the conversation id (an HMAC) as recipient;
    the real number is only known here.

    While a request is being handled, messages are collected and `flush()` sends them,
    packed, in order, with numbered options only on the last message that had buttons (a
    reply "1" means that one). After `flush()`, messages go out one by one."""

    @classmethod
    def name(cls) -> Text:
        return "twilio_sms"

    def __init__(self, account_sid: str, auth_token: str, twilio_number: str, to: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.twilio_number = twilio_number
        self._to = to
        self._client: Optional[Client] = None
        self._pending: Optional[List[Tuple[str, List[Dict[str, Any]]]]] = []
        self._sent = 0

    @property
    def silent(self) -> bool:
        """Nothing has been queued or sent for this request."""
        return self._pending == [] and not self._sent

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._queue(text, [])

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._queue(text, list(buttons or []))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        # The default would text the raw JSON; a text fallback inside it is still worth sending.
        text = json_message.get("text") if isinstance(json_message, dict) else None
        if isinstance(text, str) and text:
            await self._queue(text, [])
        else:
            logger.debug("twilio_sms: dropped a custom payload")

    async def _queue(self, text: Optional[str], buttons: List[Dict[str, Any]]) -> None:
        if self._pending is None:
            await self._send(sms_text(text, buttons))
        else:
            self._pending.append((text or "", buttons))

    async def flush(self) -> None:
        pending, self._pending = self._pending or [], None
        with_buttons = [i for i, (_, buttons) in enumerate(pending) if buttons]
        last = with_buttons[-1] if with_buttons else -1
        bodies = [sms_text(text, buttons if i == last else []) for i, (text, buttons) in enumerate(pending)]
        for body in pack(bodies):
            await self._send(body)

    def client(self) -> Client:
        if self._client is None:
            http = TwilioHttpClient(timeout=SEND_TIMEOUT, max_retries=SEND_RETRIES)
            self._client = Client(self.account_sid, self.auth_token, http_client=http)
        return self._client

    async def _send(self, body: str) -> None:
        if not body:
            return
        self._sent += 1
        try:
            await asyncio.to_thread(self.client().messages.create, to=self._to, from_=self.twilio_number, body=body)
            logger.debug("twilio_sms: sent %d characters", len(body))
        except TwilioRestException as e:
            # e.msg can quote the number ("The 'To' number +61... is not valid"): log codes only.
            # 21610 = the person texted STOP (Twilio blocks replies until they text START).
            logger.error("twilio_sms: Twilio refused a message (HTTP %s, error %s)", e.status, e.code)
        except Exception as e:  # noqa: BLE001 - never let a failed send break the webhook
            logger.error("twilio_sms: sending failed: %s at %s", type(e).__name__, _where(e))


# -- input -----------------------------------------------------------------------------------

class TwilioSmsInput(InputChannel):
    """Twilio SMS webhook with signature checks, hashed sender ids, keywords and numbered options."""

    @classmethod
    def name(cls) -> Text:
        return "twilio_sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("account_sid"),
            credentials.get("auth_token"),
            credentials.get("twilio_number"),
            public_url=credentials.get("public_url"),
            sender_secret=credentials.get("sender_secret"),
        )

    def __init__(self, account_sid: Optional[str], auth_token: Optional[str], twilio_number: Optional[str],
                 public_url: Optional[str] = None, sender_secret: Optional[str] = None) -> None:
        self.account_sid = (account_sid or "").strip()
        self.auth_token = (auth_token or "").strip()
        self.twilio_number = (twilio_number or "").strip()
        self.public_url = (public_url or "").strip() or None
        missing = [name for name, value in (("account_sid", self.account_sid), ("auth_token", self.auth_token),
                                            ("twilio_number", self.twilio_number)) if not value]
        # Without a real auth token anyone could sign requests, so the channel refuses them all.
        self.enabled = not missing
        self._validator = RequestValidator(self.auth_token) if self.enabled else None
        if missing:
            logger.warning("twilio_sms: %s not set; the SMS channel refuses every request (403)",
                           ", ".join(missing))
        secret = (sender_secret or "").strip()
        if not secret and self.enabled:
            logger.warning("twilio_sms: no sender_secret; conversation ids are keyed with the auth token "
                           "and every SMS conversation starts afresh when it is rotated")
        self._key = (secret or self.auth_token).encode("utf-8")

    def sender_id(self, number: str) -> str:
        """The conversation id for a phone number: HMAC-SHA256, hex. Never the number itself."""
        return hmac.new(self._key, number.strip().encode("utf-8"), hashlib.sha256).hexdigest()

    def output_channel(self, number: str) -> TwilioSmsOutput:
        return TwilioSmsOutput(self.account_sid, self.auth_token, self.twilio_number, number)

    def _url(self, request: Request) -> str:
        if not self.public_url:
            return request.url
        query = request.query_string
        return f"{self.public_url}?{query}" if query and "?" not in self.public_url else self.public_url

    def verified(self, request: Request, params: RequestParameters) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not self._validator or not signature:
            return False
        try:
            return bool(self._validator.validate(self._url(request), params, signature))
        except Exception as e:  # noqa: BLE001 - a malformed request is simply not verified
            logger.debug("twilio_sms: signature check failed: %s", type(e).__name__)
            return False

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms = Blueprint("twilio_sms_webhook", __name__)

        @sms.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            params = _form(request)
            if not self.verified(request, params):
                logger.warning("twilio_sms: refused a request without a valid %s", SIGNATURE_HEADER)
                return response.empty(status=403)
            number = (params.get("From") or "").strip()
            if not number:  # e.g. a status callback pointed here: nothing to answer
                return _twiml()
            sender_id = self.sender_id(number)
            out = self.output_channel(number)
            try:
                await self._handle(request, on_new_message, out, sender_id, params)
            except Exception as e:  # noqa: BLE001 - a person in distress must always get a reply
                logger.error("twilio_sms: handling a message failed: %s at %s", type(e).__name__, _where(e))
                await out.send_text_message(sender_id, sorry_text())
            finally:
                await out.flush()
            return _twiml()

        return sms

    async def _handle(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      out: TwilioSmsOutput, sender_id: str, params: RequestParameters) -> None:
        text = (params.get("Body") or "").replace("¡", "@").strip()  # some carriers turn @ into ¡
        logger.debug("twilio_sms: received %d characters", len(text))
        word = _keyword(text)
        if word in STOP_WORDS:
            await forget(self._tracker_store(request), sender_id)
            logger.debug("twilio_sms: opt-out; conversation forgotten")
            return
        if word in START_WORDS:
            await out.send_text_message(sender_id, welcome_text())
            return
        if word in HELP_WORDS:
            await out.send_text_message(sender_id, help_text())
            return
        if not text:
            media = (params.get("NumMedia") or "0").strip()
            await out.send_text_message(sender_id, MEDIA_REPLY if media not in ("", "0") else EMPTY_REPLY)
            return
        text = await self._option(request, sender_id, text)
        await on_new_message(UserMessage(text, out, sender_id, input_channel=self.name()))
        if out.silent:  # e.g. the action server is down: never leave the person without a reply
            await out.send_text_message(sender_id, sorry_text())

    @staticmethod
    def _tracker_store(request: Request) -> Any:
        agent = getattr(request.app.ctx, "agent", None)
        return getattr(agent, "tracker_store", None)

    async def _option(self, request: Request, sender_id: str, text: str) -> str:
        """"1".."9" -> the payload of that option in the latest message that had options."""
        match = OPTION.match(text)
        store = self._tracker_store(request)
        if not match or store is None:
            return text
        try:
            tracker = await store.retrieve(sender_id)
        except Exception as e:  # noqa: BLE001 - without the tracker the text goes through as typed
            logger.error("twilio_sms: could not read the conversation: %s", type(e).__name__)
            return text
        buttons = _latest_buttons(tracker) if tracker else []
        index = int(match.group(1)) - 1
        payload = buttons[index].get("payload") if index < len(buttons) else None
        if isinstance(payload, str) and payload:
            logger.debug("twilio_sms: option %d of %d chosen", index + 1, len(buttons))
            return payload
        return text


def _twiml() -> HTTPResponse:
    return response.text(TWIML_EMPTY, content_type="text/xml")
