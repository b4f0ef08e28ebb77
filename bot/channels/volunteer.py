"""The volunteers' reference desk, served by the assistant (see credentials.yml).

Mounted by Rasa at /webhooks/volunteer/:

    GET /webhooks/volunteer/                  the page (strict Content-Security-Policy)
    GET /webhooks/volunteer/volunteer.js      its script; volunteer.css its styles
    GET /webhooks/volunteer/search?q=...      {"groups": [...], "count": N, ...}; unknown words: 200, no groups

It answers from the knowledge base only: no conversation, no tracker, nothing stored. Nothing here
logs a query, and the access log (off unless LOG_LEVEL_LIBRARIES is INFO or lower) gets the search
path without its query string.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.log import access_logger
from sanic.request import Request

from bot import volunteer
from bot.channels import pages
from bot.knowledge import load_knowledge

logger = logging.getLogger(__name__)

PREFIX = "/webhooks/volunteer"
FILES = {"volunteer.js": "application/javascript; charset=utf-8", "volunteer.css": "text/css; charset=utf-8"}
# The desk's files are for its own page only (the widget's script is embedded on other sites).
SECURITY_HEADERS = {**pages.SECURITY_HEADERS, "Cross-Origin-Resource-Policy": "same-origin"}


class _NoQueryStrings(logging.Filter):
    """Access-log lines for the search say which path was asked for, not what was searched."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, str) and f"{PREFIX}/search" in request and "?" in request:
            record.request = request.split("?", 1)[0] + "?[query not logged]"
        return True


_FILTER = _NoQueryStrings()


def _error(status: int, message: str):
    return pages.json_error(status, message, SECURITY_HEADERS)


class VolunteerInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "volunteer"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        desk = Blueprint("volunteer_desk", __name__)
        if _FILTER not in access_logger.filters:
            access_logger.addFilter(_FILTER)
        _ = load_knowledge().search_index  # built now, at start-up, rather than on the first search

        @desk.route("/", methods=["GET"], strict_slashes=False)
        async def page(request: Request):
            redirect = pages.needs_slash(request)
            if redirect:
                return redirect
            try:
                page_html = volunteer.page_html(load_knowledge())
            except FileNotFoundError:
                logger.error("the reference desk's page files (volunteer/) are missing from this installation")
                return _error(503, "the reference desk is not installed here")
            return response.html(page_html, headers={"Content-Security-Policy": pages.CSP, **SECURITY_HEADERS})

        pages.add_static_files(
            desk, FILES, volunteer.read_static, SECURITY_HEADERS, missing="the reference desk is not installed here"
        )

        @desk.route("/search", methods=["GET"])
        async def search(request: Request):
            query = request.args.get("q", "")
            if len(query) > volunteer.MAX_QUERY:
                return _error(400, f"the query is too long: at most {volunteer.MAX_QUERY} characters")
            place = request.args.get("place") or None
            payload: Dict[str, Any] = volunteer.search_payload(load_knowledge(), query, place)
            return response.json(payload, headers=SECURITY_HEADERS)

        return desk
