"""Rasa's REST channel (/webhooks/rest/webhook, same request and reply format), made safe:

- answers are rendered as Markdown and buttons (bot/channels/output.py);
- a message that produced no reply gets the failure reply (bot/channels/replies.py);
- a burst from one sender is refused with 429 beyond a few messages in flight
  (bot/channels/limits.py) instead of queueing for minutes;
- invalid JSON, a missing sender or a message that isn't text get 400.
"""

import json
from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.limits import PerSenderLimit
from bot.channels.output import MarkdownCollector
from bot.channels.replies import never_silent
from bot.limits import MAX_MESSAGE_CHARS, SENDER


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handler = never_silent(on_new_message)
        limit = PerSenderLimit()
        rest = Blueprint("custom_webhook_SafeRestInput", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_: Request):
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            try:
                body = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": 'send JSON: {"sender": ..., "message": ...}'}, status=400)
            if not isinstance(body, dict):
                return response.json({"error": "send a JSON object"}, status=400)
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not SENDER.match(sender):
                return response.json({"error": "sender must be 1-128 letters, digits or . : @ + - _"}, status=400)
            if not isinstance(text, str):
                return response.json({"error": "message must be text"}, status=400)
            if len(text) > MAX_MESSAGE_CHARS:
                return response.json({"error": "message too long"}, status=413)
            with limit.slot(sender) as ok:
                if not ok:
                    return response.json({"error": "too many messages at once; please wait for a reply"}, status=429)
                collector = MarkdownCollector()
                await handler(
                    UserMessage(
                        text,
                        collector,
                        sender,
                        input_channel=self.name(),
                        metadata=body.get("metadata") if isinstance(body.get("metadata"), dict) else None,
                    )
                )
            return response.json(collector.messages)

        return rest
