"""Every message gets a reply, even when part of the system is down.

If the action server is unreachable, Rasa logs the failed action and sends nothing.
A person in distress must never be met with silence, so our channels wrap Rasa's
message handler: when nothing was said, they send the failure reply generated from
the knowledge base (the same text as `utter_action_failed`), which carries every
covered emergency number.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.answers import LAST_RESORT, failure_reply
from bot.knowledge import load_knowledge

logger = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]


def failure_text() -> str:
    try:
        return failure_reply(load_knowledge())
    except Exception:  # noqa: BLE001 - even a broken knowledge base must not leave silence
        return LAST_RESORT


def never_silent(on_new_message: Handler) -> Handler:
    """Wrap Rasa's handler: a message that produced no reply gets the failure reply."""

    async def handler(message: UserMessage) -> None:
        await on_new_message(message)
        out = message.output_channel
        if isinstance(out, CollectingOutputChannel) and not out.messages:
            logger.warning("no reply was produced for a message; sent the failure reply")
            await out.send_text_message(message.sender_id, failure_text())

    return handler
