"""The website widget's channel: Rasa's REST channel plus what a person in danger needs.

Mounted by Rasa at /webhooks/widget/ (see credentials.yml):

    GET  /webhooks/widget/             the demo page (strict Content-Security-Policy)
    GET  /webhooks/widget/widget.js    the widget itself; any site embeds it with one script tag
    GET  /webhooks/widget/widget.css
    GET  /webhooks/widget/emergency    ?sender=ID -> the emergency line for that person's place
    POST /webhooks/widget/webhook      {"sender", "message"} -> {"messages": [...], "emergency": {...}}
    POST /webhooks/widget/forget       {"sender"} -> 204; the conversation is deleted on the server

Sender ids are long random values made by the browser, so only that browser can read
or forget its conversation. Nothing here logs message text.
"""

from __future__ import annotations

import json
import logging
from html import escape as html_escape
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import pages
from bot.channels.limits import PerSenderLimit
from bot.channels.output import MarkdownCollector
from bot.channels.replies import never_silent
from bot.config import PROJECT_ROOT
from bot.knowledge import load_knowledge
from bot.limits import MAX_MESSAGE_CHARS
from bot.limits import UNGUESSABLE_SENDER as SENDER
from bot.privacy import forget, forgotten_guard

logger = logging.getLogger(__name__)

STATIC = PROJECT_ROOT / "widget"
FILES = {"widget.js": "application/javascript; charset=utf-8", "widget.css": "text/css; charset=utf-8"}
SECURITY_HEADERS = pages.SECURITY_HEADERS


def emergency_line(place: Optional[str]) -> Dict[str, Any]:
    """{"place": "Australia", "numbers": [...]} for a known place, every covered country's otherwise."""
    kb = load_knowledge()
    jurisdiction = kb.jurisdiction(place)
    scope = [jurisdiction] if jurisdiction else kb.covered()
    numbers = []
    for j in scope:
        contact = next(c for c in j.contacts if c.kind == "emergency" and c.phone)
        numbers.append({"place": j.name, "name": contact.name, "number": contact.phone})
    return {"place": jurisdiction.name if jurisdiction else None, "numbers": numbers}


_error = pages.json_error


def noscript_numbers() -> str:
    """ "Australia 000, New Zealand 111, ...": every covered country's first emergency number."""
    try:
        kb = load_knowledge()
    except Exception:  # noqa: BLE001 - a broken knowledge base must not take the page down
        return "your local emergency number"
    first = [
        (j.name, next((c.phone for c in j.contacts if c.kind == "emergency" and c.phone), None)) for j in kb.covered()
    ]
    return ", ".join(f"{name} {phone}" for name, phone in first if phone)


class WidgetInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "widget"

    @staticmethod
    def _recently_forgotten(request: Request, sender: str) -> bool:
        """Quick exit ran for this sender in the last FORGOTTEN_FOR seconds, on any replica
        (bot/privacy.py keeps the mark in the shared lock store when there is one)."""
        return forgotten_guard(request.app.ctx.agent).current(sender) is not None

    async def _place(self, request: Request, sender: str) -> Optional[str]:
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
        return tracker.get_slot("victim_country") if tracker else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        widget = Blueprint("widget_webhook", __name__)
        on_new_message = never_silent(on_new_message)
        limit = PerSenderLimit()

        @widget.route("/", methods=["GET"], strict_slashes=False)
        async def page(request: Request):
            redirect = pages.needs_slash(request)
            if redirect:
                return redirect
            html = (
                (STATIC / "demo.html")
                .read_text(encoding="utf-8")
                .replace("{{EMERGENCY_NUMBERS}}", html_escape(noscript_numbers()))
            )  # from the knowledge base
            return response.html(html, headers={"Content-Security-Policy": pages.CSP, **SECURITY_HEADERS})

        # Its script and style sheet may be cached (revalidated each time); the page and replies never.
        pages.add_static_files(
            widget,
            FILES,
            lambda name: (STATIC / name).read_text(encoding="utf-8"),
            {**SECURITY_HEADERS, "Cache-Control": "no-cache"},
        )

        @widget.route("/emergency", methods=["GET"])
        async def emergency(request: Request):
            sender = request.args.get("sender", "")
            place = await self._place(request, sender) if SENDER.match(sender) else None
            return response.json(emergency_line(place), headers=SECURITY_HEADERS)

        @widget.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            body = _json(request)
            if body is None:
                return _error(400, 'send JSON: {"sender": ..., "message": ...}')
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not SENDER.match(sender):
                return _error(400, "sender must be 16-128 letters, digits, - or _")
            if not isinstance(text, str):
                return _error(400, "message must be text")
            if len(text) > MAX_MESSAGE_CHARS:
                return _error(413, "message too long")
            if self._recently_forgotten(request, sender):
                return _error(410, "this conversation was closed")
            collector = MarkdownCollector()
            with limit.slot(sender) as ok:
                if not ok:
                    return _error(429, "too many messages at once; please wait for a reply")
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
            if self._recently_forgotten(request, sender):  # quick exit arrived while we were answering
                await forget(request.app.ctx.agent.tracker_store, sender)
                return _error(410, "this conversation was closed")
            return response.json(
                {"messages": collector.messages, "emergency": emergency_line(await self._place(request, sender))},
                headers=SECURITY_HEADERS,
            )

        @widget.route("/forget", methods=["POST"])
        async def forget_me(request: Request):
            body = _json(request) or {}
            sender = body.get("sender")
            if not isinstance(sender, str) or not SENDER.match(sender):
                return _error(400, "sender must be 16-128 letters, digits, - or _")
            forgotten_guard(request.app.ctx.agent).mark(sender)  # first: a message in flight then sees it
            await forget(request.app.ctx.agent.tracker_store, sender)
            return response.empty(status=204, headers=SECURITY_HEADERS)

        return widget


def _json(request: Request) -> Optional[dict]:
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None
