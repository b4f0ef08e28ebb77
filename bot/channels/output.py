"""Answers are rendered here, in the channel, once.

Actions send an answer as channel-neutral data: a custom payload `{"answer": {...}}`
(bot/render.py's `Answer.as_dict()`). The output channel renders it for its people:

- `MarkdownCollector` (REST and the website widget): safe Markdown and buttons, within a
  phone screen for a brief answer (FIRST_REPLY_WORDS) and more for a follow-up;
- text channels (SMS, WhatsApp) use `plain_reply`: plain text and numbered options, within
  three segments for a brief answer.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel

from bot.render import FIRST_REPLY_SMS, FIRST_REPLY_WORDS, SMS_LIMIT, Answer, Button, render_markdown, render_plain

FULL_REPLY_WORDS = 260  # a follow-up the person asked for ("More on the law")


def answer_of(json_message: Any) -> Optional[Answer]:
    """The answer in a custom payload, or None when the payload is something else."""
    if isinstance(json_message, dict) and isinstance(json_message.get("answer"), dict):
        return Answer.from_dict(json_message["answer"])
    return None


def markdown_reply(answer: Answer) -> Tuple[str, List[Button]]:
    return render_markdown(answer, max_words=FULL_REPLY_WORDS if answer.full else FIRST_REPLY_WORDS)


def plain_reply(answer: Answer, limit: Optional[int] = None) -> Tuple[str, List[Button]]:
    return render_plain(answer, limit or (SMS_LIMIT if answer.full else FIRST_REPLY_SMS))


class MarkdownCollector(CollectingOutputChannel):
    """Rasa's collecting output channel, with answers rendered as Markdown and buttons."""

    @classmethod
    def name(cls) -> Text:
        return "collector"

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        answer = answer_of(json_message)
        if answer is None:
            await super().send_custom_json(recipient_id, json_message, **kwargs)
            return
        text, buttons = markdown_reply(answer)
        await self._persist_message(self._message(
            recipient_id, text=text, buttons=[{"title": title, "payload": payload} for title, payload in buttons]
            or None))
