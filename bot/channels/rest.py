"""Rasa's REST channel (/webhooks/rest/webhook), which never answers with silence."""
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot.channels.replies import never_silent


class SafeRestInput(RestInput):
    """Same URL and format as Rasa's `rest` channel; see bot/channels/replies.py."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(never_silent(on_new_message))
