"""The volunteers' reference desk: the channel over real HTTP (a Sanic server on a free local port)
and what bot/volunteer.py puts on the page, in the search JSON and on the printable card."""

from __future__ import annotations

import html
import itertools
import json
import logging
import re
import shutil
import socket
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List

import aiohttp
import pytest
import yaml
from sanic import Sanic

from bot import volunteer
from bot.channels.pages import CSP
from bot.channels.volunteer import VolunteerInput, _NoQueryStrings
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.render import DISCLAIMER, route_lines

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
PREFIX = "/webhooks/volunteer"
_apps = itertools.count()


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


# -- over HTTP ----------------------------------------------------------------------------------


@pytest.fixture
async def server(monkeypatch):
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic(f"volunteer_test_{next(_apps)}", configure_logging=False)

    async def never(message):  # the desk never starts a conversation
        raise AssertionError("the reference desk must not send messages to the assistant")

    app.blueprint(VolunteerInput().blueprint(never), url_prefix=PREFIX)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    running = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await running.startup()
    await running.start_serving()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}{PREFIX}"
    running.close()
    await running.wait_closed()


async def get(url: str, **params):
    async with aiohttp.ClientSession() as session:
        async with session.get(url, params=params or None, allow_redirects=False) as response:
            return response.status, dict(response.headers), await response.read()


async def search(server, q, **extra):
    status, headers, body = await get(f"{server}/search", q=q, **extra)
    assert status == 200, body
    assert headers["Content-Type"].startswith("application/json")
    assert headers["Cache-Control"] == "no-store"
    return json.loads(body)


async def test_the_page_has_a_strict_csp_and_stores_nothing(server):
    status, headers, body = await get(f"{server}/")
    assert status == 200
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ):
        assert directive in headers["Content-Security-Policy"]
    assert headers["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
    assert headers["Cache-Control"] == "no-store" and headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in headers
    page = body.decode()
    assert page.startswith("<!doctype html>") and 'lang="en"' in page
    # Only our own files: no inline script or style, nothing from another host.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="volunteer.js" defer>']
    assert "<style" not in page and " style=" not in page and "javascript:" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page.replace('href="https://', ""))
    assert "localStorage" not in page


async def test_the_page_without_a_trailing_slash_redirects(server):
    status, headers, _ = await get(server)
    assert status == 308 and headers["Location"].endswith(f"{PREFIX}/")


@pytest.mark.parametrize("name,kind", [("volunteer.js", "application/javascript"), ("volunteer.css", "text/css")])
async def test_static_files(server, name, kind):
    status, headers, body = await get(f"{server}/{name}")
    assert status == 200 and headers["Content-Type"].startswith(kind) and body
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_script_uses_no_storage_and_no_markup_from_the_server():
    script = (ROOT / "volunteer" / "volunteer.js").read_text(encoding="utf-8")
    script = re.sub(r"/\*.*?\*/|(?<![:'\\])//[^\n]*", "", script, flags=re.S)  # comments may name them
    assert "fetch(" in script  # the code itself is still there
    for forbidden in (
        "localStorage",
        "sessionStorage",
        "indexedDB",
        "document.cookie",
        "caches.",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "eval(",
        "new Function",
        "serviceWorker",
    ):
        assert forbidden not in script, forbidden
    css = (ROOT / "volunteer" / "volunteer.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css  # no fonts or images from anywhere


async def test_search_474_17c_comes_first_with_its_penalty(server):
    data = await search(server, "474.17C")
    assert data["understood"]["section"] == "474.17c"
    assert data["groups"][0]["kind"] == "offence"
    top = data["groups"][0]["results"][0]
    assert top["id"] == "au-cth-474-17c" and top["place"] == "Australia"
    text = " ".join(line["text"] for line in top["key"])
    assert "Maximum penalty: 6 years" in text and "10 December 2024" in text
    marked = [line["text"][a:b] for line in top["key"] + [top["title"]] for a, b in line["marks"]]
    assert "474.17C" in marked
    assert top["sources"] and all(u.startswith("https://") for u in top["sources"])
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", top["reviewed"])
    assert DISCLAIMER in top["copy"] and top["sources"][0] in top["copy"]


async def test_unknown_and_empty_queries_get_200_with_no_results(server):
    for q in ("zzzz qqqq", "", "   ", "💥", "%00"):
        data = await search(server, q)
        assert data["groups"] == [] and data["count"] == 0
    data = await search(server, "<script>alert(1)</script>")  # whatever it matches, it is plain data
    assert data["query"] == "<script>alert(1)</script>"
    status, _, body = await get(f"{server}/search")  # no q at all
    assert status == 200 and json.loads(body)["count"] == 0


async def test_a_query_too_long_is_a_clear_error(server):
    status, headers, body = await get(f"{server}/search", q="a" * 201)
    assert status == 400 and "at most 200 characters" in json.loads(body)["error"]
    assert headers["Cache-Control"] == "no-store"


async def test_search_by_place_gives_that_places_contacts(server):
    data = await search(server, "Joburg")
    assert data["understood"]["places"] == [{"id": "ZA", "name": "South Africa", "country": "ZA"}]
    assert data["groups"][0]["kind"] == "contact"
    first = data["groups"][0]["results"][0]
    assert first["id"] == "za-10111" and first["country"] == "ZA"
    assert all(r["country"] == "ZA" for g in data["groups"] for r in g["results"])


async def test_search_by_words_groups_and_marks(server):
    data = await search(server, "threat to kill")
    kinds = [g["kind"] for g in data["groups"]]
    assert kinds[0] == "offence" and len(kinds) == len(set(kinds))
    assert set(kinds) <= {"offence", "contact", "route", "guidance"}
    top = data["groups"][0]["results"][0]
    assert top["id"] == "au-cth-474-15"
    marked = {line["text"][a:b].lower() for line in top["key"] for a, b in line["marks"]}
    assert {"threat", "kill"} <= marked
    assert data["count"] == sum(len(g["results"]) for g in data["groups"])


async def test_the_json_carries_text_and_ranges_never_markup(server):
    data = await search(server, "eSafety")
    lines = [
        line
        for g in data["groups"]
        for r in g["results"]
        for line in r["key"] + [x for group in r["full"] for x in group["lines"]] + [r["title"]]
    ]
    assert lines
    for line in lines:
        assert "**" not in line["text"]
        for start, end in line["marks"] + line["strong"] + line["links"]:
            assert 0 <= start < end <= len(line["text"])
        for start, end in line["links"]:
            assert line["text"][start:end].startswith("https://")


async def test_the_access_log_never_gets_the_query(server):
    record = logging.LogRecord("sanic.access", logging.INFO, "", 0, "", (), None)
    record.request = f"GET http://127.0.0.1{PREFIX}/search?q=my+ex+John+Smith"
    assert _NoQueryStrings().filter(record)
    assert "John" not in record.request and record.request.endswith("?[query not logged]")
    other = logging.LogRecord("sanic.access", logging.INFO, "", 0, "", (), None)
    other.request = f"GET http://127.0.0.1{PREFIX}/volunteer.css"
    _NoQueryStrings().filter(other)
    assert other.request.endswith("volunteer.css")


# -- what the page, the card and the JSON say ----------------------------------------------------


class _Facts(HTMLParser):
    """Each <article data-fact> of a page: its text and its links."""

    def __init__(self):
        super().__init__()
        self.facts: List[Dict] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "data-fact" in attrs:
            self.facts.append({"id": attrs["id"], "text": "", "links": []})
            self.depth = 1
        elif tag == "article" and self.depth:
            self.depth += 1
        if tag == "a" and self.depth:
            self.facts[-1]["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "article" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.facts[-1]["text"] += data


def facts_of(page: str) -> List[Dict]:
    parser = _Facts()
    parser.feed(page)
    return parser.facts


def test_every_fact_on_the_page_shows_its_source_and_review_date(kb):
    page = volunteer.page_html(kb)
    facts = facts_of(page)
    assert len(facts) > 100
    for fact in facts:
        assert re.search(r"Sources?: https://", fact["text"]), fact["id"]
        assert re.search(r"Checked \d{1,2} [A-Z][a-z]+ \d{4}\.", fact["text"]), fact["id"]
        assert any(link and link.startswith("https://") for link in fact["links"]), fact["id"]


@pytest.mark.parametrize("code", ["AU", "NZ", "US", "UK", "CA", "ZA"])
def test_each_country_panel_has_what_a_call_needs(kb, code):
    panel = volunteer.country_panel(kb, code)
    blocks = {b.key: b for b in panel.blocks}
    jurisdiction = kb.jurisdiction(code)
    emergency = [f.id for f in blocks["emergency"].facts]
    assert emergency and all(kb.contact(i).kind in ("emergency", "accessibility") for i in emergency)
    assert {c.id for c in kb.crisis(code)} <= {f.id for f in blocks["crisis"].facts}
    assert "young" in blocks  # listed, or said plainly that none is listed yet
    reporting = blocks["reporting"].facts
    assert {c.id for c in kb.reporting(code)} <= {f.id for f in reporting}
    assert any(g.label == "Does not" for f in reporting for g in f.groups)  # what each does NOT do
    # Every contact of the country is somewhere on its panel, once.
    shown = [f.id for b in panel.blocks for f in b.facts if f.kind == "contact"]
    assert sorted(shown) == sorted(c.id for c in jurisdiction.contacts)
    if jurisdiction.offences:
        offences = blocks["offences"].facts
        assert [f.id for f in offences] == [o.id for o in jurisdiction.offences]
        for fact, offence in zip(offences, jurisdiction.offences, strict=False):
            text = " ".join(fact.lines())
            assert offence.max_penalty in text and all(e in fact.lines() for e in offence.elements)
        assert blocks["offences"].note == DISCLAIMER
    assert blocks["ladder"].facts and blocks["evidence"].facts
    assert any(g.checklist for f in blocks["evidence"].facts for g in f.groups)
    for block in panel.blocks:
        for fact in block.facts:
            assert fact.sources and fact.reviewed and fact.copy


def test_recording_rules_per_australian_state(kb):
    panel = volunteer.country_panel(kb, "AU")
    rules = {f.jurisdiction: " ".join(f.lines()) for b in panel.blocks if b.key == "recording" for f in b.facts}
    assert len(rules) == 8
    assert "one-party" in rules["AU-VIC"] and "all-party" in rules["AU-WA"]
    assert not any(b.key == "recording" for b in volunteer.country_panel(kb, "NZ").blocks)


@pytest.mark.parametrize("victim,harasser", [("AU", "US"), ("NZ", "UK"), ("ZA", "CA"), ("US", "NZ")])
def test_the_route_finder_shows_what_kb_route_gives_the_cli(kb, victim, harasser):
    home, there, _ = volunteer.route_parts(kb)
    shown = home[victim].lines() + there[harasser].lines()
    expected = route_lines(kb.route(victim, harasser))
    for line in expected:
        plain = re.sub(r"\*\*[^*]+:\*\* ", "", line)  # "**Fastest lever there:** ..." -> the fact itself
        assert any(plain in s or s in plain for s in shown), line
    honest = kb.jurisdiction(harasser).harasser_here.honest_truth
    assert any(g.label == "The honest truth" and g.lines == [honest] for g in there[harasser].groups)
    assert "Honestly: " + honest.split(".")[0] in there[harasser].copy


def test_copy_for_the_person_is_short_plain_text_with_its_source(kb):
    page_facts = [f for j in kb.covered() for b in volunteer.country_panel(kb, j.id).blocks for f in b.facts]
    for fact in page_facts:
        assert len(fact.copy) <= volunteer.COPY_LIMIT, (fact.id, len(fact.copy))
        assert "**" not in fact.copy
        assert fact.sources[0] in fact.copy and "checked" in fact.copy
        if fact.kind == "offence":
            assert DISCLAIMER in fact.copy
    lifeline = volunteer.contact_fact(kb, kb.contact("au-lifeline"), "AU")
    assert lifeline.copy.startswith("Lifeline: 13 11 14")


def test_the_export_card_is_the_page_panel(kb, tmp_path):
    """`python -m bot export` prints the same facts as the page's panel: one renderer, no drift."""
    from bot.cli import run

    target = tmp_path / "card.html"
    assert run(["export", "--jurisdiction", "NZ", "--format", "html", "--output", str(target)]) == 0
    card = target.read_text(encoding="utf-8")
    page_panel = volunteer.panel_html(volunteer.country_panel(kb, "NZ"))
    on_page = {
        f["id"]: re.sub(r"\s+", " ", f["text"].replace("Copy for the person", "")).strip() for f in facts_of(page_panel)
    }
    on_card = {f["id"]: re.sub(r"\s+", " ", f["text"]).strip() for f in facts_of(card)}
    assert on_card.keys() == on_page.keys() and len(on_card) > 10
    for key, text in on_card.items():
        # The page folds the how-to steps behind a disclosure; the card lays them out: same words.
        assert set(text.split()) == set(on_page[key].split()), key
    assert "<script" not in card.lower() and "<button" not in card
    css = (ROOT / "volunteer" / "volunteer.css").read_text(encoding="utf-8")
    assert css in card  # the page's own print style
    markdown = volunteer.panel_markdown(volunteer.country_panel(kb, "NZ"), "Card")
    for fact in volunteer.country_panel(kb, "NZ").blocks[0].facts:
        assert f"### {fact.title}" in markdown


def test_knowledge_text_is_escaped_on_the_page_and_plain_in_the_json(tmp_path):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    path = kdir / "jurisdictions" / "au.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["contacts"][0]["name"] = "Triple Zero <script>alert(1)</script>"
    data["contacts"][0]["when"] = 'Danger "now" & <img src=x onerror=alert(1)>'
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    kb = KnowledgeBase(kdir)
    page = volunteer.page_html(kb)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and html.escape("<img src=x onerror=alert(1)>") in page
    payload = volunteer.search_payload(kb, "Triple Zero")
    titles = [r["title"]["text"] for g in payload["groups"] for r in g["results"]]
    assert "Triple Zero <script>alert(1)</script>" in titles  # text; the page makes a text node of it


def test_the_page_lists_every_covered_country_in_both_route_selects(kb):
    page = volunteer.page_html(kb)
    for jurisdiction in kb.covered():
        assert page.count(f'<option value="{jurisdiction.id}">{html.escape(jurisdiction.name)}</option>') == 3
        assert f'data-panel="{jurisdiction.id}"' in page
    assert "<!-- slot:" not in page
