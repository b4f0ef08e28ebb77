"""What the channels that serve a web page share (the widget's demo page, the reference desk):
the security headers, the page's Content-Security-Policy, JSON errors, and the page's own
script and style sheet served beside it."""

from __future__ import annotations

from typing import Callable, Dict, Optional

from sanic import Blueprint, response
from sanic.request import Request

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # nothing kept on the device, not even in the browser's cache
}


def json_error(status: int, message: str, headers: Dict[str, str] = SECURITY_HEADERS):
    return response.json({"error": message}, status=status, headers=headers)


def needs_slash(request: Request):
    """A redirect to the page's URL with its trailing slash (its relative URLs need it), or None."""
    return None if request.path.endswith("/") else response.redirect(request.path + "/", status=308)


def add_static_files(
    blueprint: Blueprint,
    files: Dict[str, str],
    read: Callable[[str], str],
    headers: Dict[str, str],
    missing: Optional[str] = None,
) -> None:
    """GET /<name> for each file name -> content type; `missing`: the 503 message when a file is
    not installed (None: let the error through)."""

    def route(name: str) -> None:
        async def serve(request: Request):
            try:
                body = read(name)
            except FileNotFoundError:
                if missing is None:
                    raise
                return json_error(503, missing, headers)
            return response.text(body, content_type=files[name], headers=headers)

        blueprint.add_route(serve, f"/{name}", methods=["GET"], name=name.replace(".", "_"))

    for name in files:
        route(name)
