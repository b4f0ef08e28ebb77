"""What the Twilio channels (SMS, WhatsApp) share: signed webhooks, hashed ids, keywords, options.

A Twilio channel is mounted by Rasa at /webhooks/<name>/ (see credentials.yml):

    GET  /webhooks/<name>/          health check
    POST /webhooks/<name>/webhook   Twilio's incoming-message webhook (form: From, Body, ...)
                                    -> empty TwiML; the replies go out through Twilio's REST API

Every POST must carry a valid X-Twilio-Signature for the URL Twilio called (`public_url`
when Rasa sits behind a proxy) and the exact form it sent; anything else gets 403 with an
empty body and nothing happens.

Settings: each key credentials.yml gives a value for, else bot/config.py's setting (from the
environment: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMS_SENDER_SECRET and the channel's number
and public URL). With the account, the token or the number empty, the channel is off: every
request gets 403.

The person may be on a monitored phone, so:
- the conversation id is an HMAC of the sender's address (keyed with `sender_secret`),
  never the number: trackers, locks and logs only ever see the HMAC. The number itself
  lives only in the output channel made for one request, to address the reply;
- nothing here logs a phone number or message text (lengths, at debug level, at most);
- STOP (and Twilio's other opt-out words) deletes the conversation, and a message that was
  still being answered at that moment cannot bring it back (bot/privacy.py's guard, shared
  by the replicas). START and HELP are answered here, without NLU.

Replies: each bot message (Markdown and buttons, as actions send to every channel) becomes
one text body (bot/channels/twilio_text.py) with buttons as numbered options; a reply of
just "1".."9" is turned back into that option's payload. All replies to one incoming
message are packed into as few messages as possible and sent in order.

Subclasses (sms.py, whatsapp.py) set the channel's name, text style, wording and how the
sender's address is written.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import traceback
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple
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
from bot.channels.output import answer_of, button_dicts, text_reply
from bot.channels.replies import failure_text
from bot.channels.twilio_text import SMS, TextStyle, compose, pack, render
from bot.config import settings
from bot.knowledge import load_knowledge
from bot.limits import MAX_MESSAGE_CHARS
from bot.privacy import forget, forgotten_guard

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


class Wording:
    """What a Twilio channel says by itself (keywords, media, failures). Subclasses adjust it."""

    empty = "Please text what is happening, or HELP."
    media = "I can't open pictures or files here. Please text what is happening, or HELP."
    welcome = (
        "Hi, you can text me about online harassment, threats, doxxing or abuse. "
        "Tell me what is happening, and where you are if you are comfortable sharing."
    )
    help = (
        "This is an automated assistant for people facing online harassment, threats, doxxing "
        "or abuse. It gives general information, not legal advice."
    )
    monitored = "If someone else may read your texts, delete this thread when you are done."
    stop_hint = "Text STOP to stop. I then forget this conversation."
    stopped: Optional[str] = None  # said after STOP; None: say nothing (the carrier confirms SMS STOP)


def danger_lines() -> List[str]:
    """ "In danger? Call:" and one line per covered country, from the knowledge base."""
    return ["In danger? Call:"] + covered_numbers(load_knowledge())


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
    (a picture-only message has `Body=`), which would break the signature."""
    try:
        body = (request.body or b"").decode("utf-8")
    except UnicodeDecodeError:
        return RequestParameters()
    return RequestParameters(parse_qs(body, keep_blank_values=True))


def where(exc: BaseException) -> str:
    """Where an exception happened, without its message (which may quote a number or text)."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    return " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames))


def twiml() -> HTTPResponse:
    return response.text(TWIML_EMPTY, content_type="text/xml")


# -- output ----------------------------------------------------------------------------------


class TwilioOutput(OutputChannel):
    """Replies to one address. Rasa passes the conversation id (an HMAC) as recipient;
    the real address is only known here.

    While a request is being handled, messages are collected and `flush()` sends them,
    packed, in order, with numbered options only on the last message that had buttons (a
    reply "1" means that one). After `flush()`, messages go out one by one."""

    channel = "twilio"
    style: TextStyle = SMS

    @classmethod
    def name(cls) -> Text:
        return cls.channel

    def __init__(self, account_sid: str, auth_token: str, from_: str, to: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_ = from_
        self._to = to
        self._client: Optional[Client] = None
        self._pending: Optional[List[Tuple[str, List[Dict[str, Any]]]]] = []
        self._sent = 0

    @property
    def silent(self) -> bool:
        """Nothing has been queued or sent for this request."""
        return self._pending == [] and not self._sent

    def text(self, text: Optional[str], buttons: List[Dict[str, Any]] = ()) -> str:
        """One bot message as this channel's text."""
        return render(text, buttons, self.style)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._queue(text, [])

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._queue(text, list(buttons or []))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        answer = answer_of(json_message)
        if answer is not None:  # an answer from action_answer: within this channel's budget
            markdown, buttons = text_reply(answer, self.style)
            await self._queue(markdown, button_dicts(buttons))
            return
        # The default would send the raw JSON; a text fallback inside it is still worth sending.
        text = json_message.get("text") if isinstance(json_message, dict) else None
        if isinstance(text, str) and text:
            await self._queue(text, [])
        else:
            logger.debug("%s: dropped a custom payload", self.channel)

    async def _queue(self, text: Optional[str], buttons: List[Dict[str, Any]]) -> None:
        if self._pending is None:
            await self._send(self.text(text, buttons))
        else:
            self._pending.append((text or "", buttons))

    def discard(self) -> None:
        """Drop what was collected for this request (the conversation was forgotten meanwhile)."""
        if self._pending:
            self._pending = []

    async def flush(self) -> None:
        pending, self._pending = self._pending or [], None
        with_buttons = [i for i, (_, buttons) in enumerate(pending) if buttons]
        last = with_buttons[-1] if with_buttons else -1
        bodies = [self.text(text, buttons if i == last else []) for i, (text, buttons) in enumerate(pending)]
        for body in pack(bodies, self.style):
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
            await asyncio.to_thread(self.client().messages.create, to=self._to, from_=self.from_, body=body)
            logger.debug("%s: sent %d characters", self.channel, len(body))
        except TwilioRestException as e:
            # e.msg can quote the number ("The 'To' number +61... is not valid"): log codes only.
            logger.error("%s: Twilio refused a message (HTTP %s, error %s)", self.channel, e.status, e.code)
        except Exception as e:  # noqa: BLE001 - never let a failed send break the webhook
            logger.error("%s: sending failed: %s at %s", self.channel, type(e).__name__, where(e))


# -- input -----------------------------------------------------------------------------------


class TwilioInput(InputChannel):
    """A Twilio webhook with signature checks, hashed sender ids, keywords and numbered options."""

    channel = "twilio"
    output_class = TwilioOutput
    wording = Wording
    number_setting = "twilio_number"  # the credentials.yml key of the number we send from
    # credentials.yml key -> the bot.config setting used when credentials.yml gives no value
    defaults: Dict[str, str] = {
        "account_sid": "twilio_account_sid",
        "auth_token": "twilio_auth_token",
        "twilio_number": "twilio_number",
        "sender_secret": "sms_sender_secret",
        "public_url": "twilio_sms_public_url",
    }

    @classmethod
    def name(cls) -> Text:
        return cls.channel

    @classmethod
    def settings_from(cls, credentials: Optional[Dict[Text, Any]]) -> Dict[str, str]:
        """Each setting from credentials.yml where it gives one (even empty: switched off),
        else from bot.config (the environment, or the default: empty)."""
        given = credentials or {}
        current = settings()
        values = {}
        for key, setting in cls.defaults.items():
            value = given.get(key)
            if value is None:
                values[key] = getattr(current, setting)
            elif isinstance(value, str):
                values[key] = value
            else:  # YAML reads +15005550006 as a number, without its "+"
                kind = type(value).__name__
                raise ValueError(f"credentials.yml: {key} of {cls.channel} must be quoted text, not {kind}")
        return values

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        values = cls.settings_from(credentials)
        return cls(
            values["account_sid"],
            values["auth_token"],
            values[cls.number_setting],
            public_url=values["public_url"],
            sender_secret=values["sender_secret"],
        )

    def __init__(
        self,
        account_sid: Optional[str],
        auth_token: Optional[str],
        number: Optional[str],
        public_url: Optional[str] = None,
        sender_secret: Optional[str] = None,
    ) -> None:
        self.account_sid = (account_sid or "").strip()
        self.auth_token = (auth_token or "").strip()
        self.number = (number or "").strip()
        self.public_url = (public_url or "").strip() or None
        missing = [
            name
            for name, value in (
                ("account_sid", self.account_sid),
                ("auth_token", self.auth_token),
                (self.number_setting, self.number),
            )
            if not value
        ]
        # Without a real auth token anyone could sign requests, so the channel refuses them all.
        self.enabled = not missing
        self._validator = RequestValidator(self.auth_token) if self.enabled else None
        if missing:
            logger.warning("%s: %s not set; the channel refuses every request (403)", self.channel, ", ".join(missing))
        secret = (sender_secret or "").strip()
        if not secret and self.enabled:
            logger.warning(
                "%s: no sender_secret; conversation ids are keyed with the auth token "
                "and every conversation starts afresh when it is rotated",
                self.channel,
            )
        self._key = (secret or self.auth_token).encode("utf-8")

    # -- hooks for the subclasses --------------------------------------------------------

    def sender_address(self) -> str:
        """The `from_` of our replies."""
        return self.number

    def accepts(self, address: str) -> bool:
        """Whether a `From` belongs on this channel (a misrouted webhook is answered with nothing)."""
        return True

    # -- shared --------------------------------------------------------------------------

    def sender_id(self, address: str) -> str:
        """The conversation id for a sender's address: HMAC-SHA256, hex. Never the number itself."""
        return hmac.new(self._key, address.strip().encode("utf-8"), hashlib.sha256).hexdigest()

    def output_channel(self, address: str) -> TwilioOutput:
        return self.output_class(self.account_sid, self.auth_token, self.sender_address(), address)

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
            logger.debug("%s: signature check failed: %s", self.channel, type(e).__name__)
            return False

    def welcome_text(self) -> str:
        return compose([self.wording.welcome], danger_lines(), self.output_class.style)

    def help_text(self) -> str:
        return compose(
            [self.wording.help, self.wording.monitored],
            danger_lines() + [self.wording.stop_hint],
            self.output_class.style,
        )

    def sorry_text(self) -> str:
        """The one failure reply (bot/answers.py), within this channel's length."""
        return compose([failure_text()], [], self.output_class.style)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint(f"{self.channel}_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            params = _form(request)
            if not self.verified(request, params):
                logger.warning("%s: refused a request without a valid %s", self.channel, SIGNATURE_HEADER)
                return response.empty(status=403)
            address = (params.get("From") or "").strip()
            if not address or not self.accepts(address):  # e.g. a status callback pointed here
                return twiml()
            sender_id = self.sender_id(address)
            out = self.output_channel(address)
            try:
                await self._handle(request, on_new_message, out, sender_id, params)
            except Exception as e:  # noqa: BLE001 - a person in distress must always get a reply
                logger.error("%s: handling a message failed: %s at %s", self.channel, type(e).__name__, where(e))
                await out.send_text_message(sender_id, self.sorry_text())
            finally:
                await out.flush()
            return twiml()

        return hook

    async def _handle(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        out: TwilioOutput,
        sender_id: str,
        params: RequestParameters,
    ) -> None:
        text = self.incoming_text(params)
        logger.debug("%s: received %d characters", self.channel, len(text))
        word = _keyword(text)
        guard = forgotten_guard(getattr(request.app.ctx, "agent", None))
        if word in STOP_WORDS:
            guard.mark(sender_id)  # first: a message being answered right now then sees it
            await forget(self._tracker_store(request), sender_id)
            logger.debug("%s: opt-out; conversation forgotten", self.channel)
            if self.wording.stopped:
                await out.send_text_message(sender_id, self.wording.stopped)
            return
        if word in START_WORDS:
            await out.send_text_message(sender_id, self.welcome_text())
            return
        if word in HELP_WORDS:
            await out.send_text_message(sender_id, self.help_text())
            return
        if not text:
            media = (params.get("NumMedia") or "0").strip()
            await out.send_text_message(sender_id, self.wording.media if media not in ("", "0") else self.wording.empty)
            return
        before = guard.current(sender_id)
        text = await self._option(request, sender_id, text)
        await on_new_message(UserMessage(text, out, sender_id, input_channel=self.name()))
        if guard.current(sender_id) != before:
            # STOP arrived (on any replica) while this was being answered: the answer must not
            # bring the conversation back, and the person asked for no more messages.
            await forget(self._tracker_store(request), sender_id)
            out.discard()
            logger.debug("%s: conversation forgotten while answering; reply dropped", self.channel)
            return
        if out.silent:  # e.g. the action server is down: never leave the person without a reply
            await out.send_text_message(sender_id, self.sorry_text())

    def incoming_text(self, params: RequestParameters) -> str:
        return (params.get("Body") or "").strip()[:MAX_MESSAGE_CHARS]

    @staticmethod
    def _tracker_store(request: Request) -> Any:
        agent = getattr(request.app.ctx, "agent", None)
        return getattr(agent, "tracker_store", None)

    async def _option(self, request: Request, sender_id: str, text: str) -> str:
        """ "1".."9" -> the payload of that option in the latest message that had options."""
        match = OPTION.match(text)
        store = self._tracker_store(request)
        if not match or store is None:
            return text
        try:
            tracker = await store.retrieve(sender_id)
        except Exception as e:  # noqa: BLE001 - without the tracker the text goes through as typed
            logger.error("%s: could not read the conversation: %s", self.channel, type(e).__name__)
            return text
        buttons = _latest_buttons(tracker) if tracker else []
        index = int(match.group(1)) - 1
        payload = buttons[index].get("payload") if index < len(buttons) else None
        if isinstance(payload, str) and payload:
            logger.debug("%s: option %d of %d chosen", self.channel, index + 1, len(buttons))
            return payload
        return text
