"""Answers are rendered here, in the channel, once.

Actions send an answer as channel-neutral data: a custom payload `{"answer": {...}}`
(bot/render.py's `Answer.as_dict()`). The output channel renders it for its people:

- `markdown_reply` (REST and the website widget, through `MarkdownCollector`): safe
  Markdown and buttons, within a phone screen for a first answer (FIRST_REPLY_WORDS) and
  more for a follow-up the person tapped;
- `text_reply` (SMS and WhatsApp, in bot/channels/twilio_base.py): the same Markdown
  within the channel's own budget (three SMS segments for a first answer), which
  bot/channels/twilio_text.py then turns into the channel's text.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel

from bot.channels.twilio_text import MAX_OPTIONS, TextStyle, render
from bot.render import BRIEF_SOURCES, FIRST_REPLY_WORDS, Answer, Button, render_markdown

FULL_REPLY_WORDS = 260  # a follow-up the person asked for ("More on the law")


def answer_of(json_message: Any) -> Optional[Answer]:
    """The answer in a custom payload, or None when the payload is something else."""
    if isinstance(json_message, dict) and isinstance(json_message.get("answer"), dict):
        return Answer.from_dict(json_message["answer"])
    return None


def button_dicts(buttons: List[Button]) -> List[Dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in buttons]


def markdown_reply(answer: Answer) -> Tuple[str, List[Button]]:
    if answer.full:
        return render_markdown(answer, max_words=FULL_REPLY_WORDS)
    return render_markdown(answer, max_sources=BRIEF_SOURCES, max_words=FIRST_REPLY_WORDS)


def text_reply(answer: Answer, style: TextStyle) -> Tuple[str, List[Button]]:
    """(Markdown, buttons) that, as `style`'s text, fit its budget: three SMS for a first answer."""
    budget = style.limit if answer.full else style.first_reply

    def fits(markdown: str, buttons: List[Button]) -> bool:
        body = render(markdown, button_dicts(buttons[:MAX_OPTIONS]), style)
        return style.length(body) <= budget and style.fits(body)

    markdown, buttons = render_markdown(answer, max_sources=1, fits=fits)
    if answer.opener and answer.sections and markdown.count("\n\n") < 3:
        # three SMS are tight: when the opener crowds out the law or where to report, give it up
        plain = Answer.from_dict({**answer.as_dict(), "opener": None})
        without = render_markdown(plain, max_sources=1, fits=fits)
        if without[0].count("**") > markdown.count("**"):
            markdown, buttons = without
    return markdown, buttons[:MAX_OPTIONS]


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
        await self._persist_message(self._message(recipient_id, text=text, buttons=button_dicts(buttons) or None))
