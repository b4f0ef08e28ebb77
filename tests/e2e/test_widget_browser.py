"""The website chat widget (widget/) in a real browser, against the real assistant.

Chromium comes from the system (scripts/install_chromium.sh installs it with apt-get),
Playwright from requirements-dev.txt; without either the module skips. Nothing is
downloaded and nothing leaves the machine: every request that is not for the local
assistant is answered by a route (the quick-exit page) or aborted.

Screenshots for review go to test-artifacts/ (git-ignored): widget-phone.png, widget-desktop.png.
"""

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "no /usr/bin/chromium (run scripts/install_chromium.sh): widget browser tests skipped", allow_module_level=True
    )
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the playwright package is not installed (pip install -r requirements-dev.txt -c constraints.txt)",
)
expect = sync_api.expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXIT_URL = "https://www.google.com/search?q=weather"  # the widget's default; answered by a route below
EXIT_PAGE = "<!doctype html><html lang=en><title>Weather</title><p>Weather</p></html>"
REPLY_MS = 30_000
DOXXING = "someone posted my address online"

expect.set_options(timeout=REPLY_MS)

# A site embedding the widget with one script tag and no CSP (so an XSS would run), in floating mode.
HOST_PATH = "/host-site-for-widget-tests"
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A host site</title>
<style>body { font: 18px Georgia, serif; } p, a, button { color: #c00; margin: 3em; } ul { list-style: none; }</style>
</head><body><h1>Some organisation</h1><p>Host page content.</p>
<script src="/webhooks/widget/widget.js" defer></script></body></html>"""

BOT_COUNT = "() => document.querySelectorAll('.asw-msg-bot:not(.asw-typing)').length"
REPLIED = """n => document.querySelectorAll('.asw-msg-bot:not(.asw-typing)').length > n
                 && document.querySelector('.asw-typing').hidden"""


class Chat:
    """One browser tab with the widget open, and what it logged."""

    def __init__(self, page, response, errors):
        self.page, self.response, self.errors = page, response, errors
        self.emergency = page.locator(".asw-emergency")
        self.log = page.locator(".asw-log")
        self.input = page.locator(".asw-input")

    def bot_count(self) -> int:
        return self.page.evaluate(BOT_COUNT)

    def wait_reply(self, before: int) -> str:
        """Wait for new bot messages after `before` of them; their text."""
        self.page.wait_for_function(REPLIED, arg=before, timeout=REPLY_MS)
        texts = self.page.locator(".asw-msg-bot:not(.asw-typing) .asw-bubble").all_inner_texts()
        return "\n".join(texts[before:])

    def say(self, text: str) -> str:
        before = self.bot_count()
        self.input.fill(text)
        self.input.press("Enter")
        return self.wait_reply(before)

    def chip(self, title: str):
        return self.page.locator(".asw-suggestions").get_by_role("button", name=title, exact=True)

    def click_chip(self, title: str) -> str:
        before = self.bot_count()
        self.chip(title).click()
        return self.wait_reply(before)

    def storage(self) -> dict:
        return self.page.evaluate("""() => ({local: localStorage.length, session: sessionStorage.length,
                                            cookie: document.cookie})""")


def server_place(assistant, sender: str):
    """What the server remembers of this conversation: the place it knows (None when forgotten)."""
    url = f"{assistant.url}/webhooks/widget/emergency?sender={sender}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())["place"]


def covered_numbers(assistant) -> list:
    with urllib.request.urlopen(f"{assistant.url}/webhooks/widget/emergency", timeout=10) as response:
        return json.loads(response.read())["numbers"]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_chat(browser, assistant):
    """open_chat(path=..., **context options) -> Chat, with the network closed off but for the assistant."""
    contexts = []

    def offline(route):
        url = route.request.url
        if url.startswith(assistant.url + "/"):
            route.continue_()
        elif url.startswith(EXIT_URL):
            route.fulfill(status=200, content_type="text/html", body=EXIT_PAGE)
        else:
            route.abort()

    def _open(path="/webhooks/widget/", viewport=(1280, 800), **options):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, **options)
        contexts.append(context)
        context.route("**/*", offline)
        if path == HOST_PATH:
            context.route(
                f"{assistant.url}{HOST_PATH}",
                lambda route: route.fulfill(status=200, content_type="text/html", body=HOST_PAGE),
            )
        page = context.new_page()
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
        response = page.goto(assistant.url + path)
        if path != HOST_PATH:
            expect(page.locator(".asw-emergency a").first).to_be_visible()  # numbers fetched
        return Chat(page, response, errors)

    yield _open
    for context in contexts:
        context.close()


# -- 1. a conversation, end to end ----------------------------------------------------------------


def test_conversation_end_to_end_and_emergency_line(open_chat, assistant):
    chat = open_chat()
    # Before the place is known: every covered country's number, each a tel: link.
    for entry in covered_numbers(assistant):
        expect(chat.emergency).to_contain_text(f"{entry['place']} {entry['number']}")
        expect(chat.emergency.locator(f'a[href="tel:{entry["number"]}"]').first).to_be_visible()
    expect(chat.emergency).to_contain_text("In danger?")

    reply = chat.say(DOXXING)
    assert "Where are you" in reply
    expect(chat.log.locator(".asw-msg-user .asw-bubble").last).to_have_text(DOXXING)

    reply = chat.click_chip("Australia")
    expect(chat.log.locator(".asw-msg-user .asw-bubble").last).to_have_text("Australia")  # the title, not payload
    assert "474.17C" in reply
    expect(chat.log).to_contain_text("474.17C")
    # The place is known: just its number.
    expect(chat.emergency).to_have_text(re.compile(r"^\s*In danger\?\s+Call 000 \(Triple Zero\)\s*$"))
    links = chat.emergency.locator("a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "tel:000")
    # Bot Markdown became elements: bold, a list, https links that open safely.
    bubble = chat.log.locator(".asw-msg-bot:not(.asw-typing) .asw-bubble").last
    assert bubble.locator("strong").count() > 0
    for link in bubble.locator("a").all():
        assert link.get_attribute("href").startswith("https://")
        assert link.get_attribute("rel") == "noopener noreferrer"
        assert link.get_attribute("target") == "_blank"
    assert chat.errors == []


# -- 2. quick exit -------------------------------------------------------------------------------

# What is left of the page just after Quick exit ran: listeners on window run after the widget's own
# (on the button, or on document in the capture phase), in the same event, before the page is replaced.
REPORT_AFTER_EVENTS = """() => {
  const report = () => {
    const root = document.querySelector('[data-asw-root]');
    console.log('asw-snapshot ' + JSON.stringify({
      messages: document.querySelectorAll('.asw-msg').length,
      logText: root ? root.querySelector('.asw-log').textContent : '',
      input: root ? root.querySelector('.asw-input').value : '',
      hidden: root ? root.hidden : true,
      local: localStorage.length, session: sessionStorage.length, cookie: document.cookie}));
  };
  window.addEventListener('click', report);
  window.addEventListener('keydown', report);
}"""


@pytest.mark.parametrize("how", ["button", "escape"])
def test_quick_exit_wipes_forgets_and_leaves(open_chat, assistant, how):
    chat = open_chat()
    page = chat.page
    senders, forgets, snapshots = [], [], []
    page.on(
        "request",
        lambda r: r.url.endswith("/webhooks/widget/webhook") and senders.append(json.loads(r.post_data)["sender"]),
    )
    page.on("request", lambda r: r.url.endswith("/webhooks/widget/forget") and forgets.append(r.post_data))
    page.on(
        "console",
        lambda m: m.text.startswith("asw-snapshot ") and snapshots.append(json.loads(m.text.split(" ", 1)[1])),
    )
    page.evaluate(REPORT_AFTER_EVENTS)
    chat.say(DOXXING)
    assert "474.17C" in chat.click_chip("Australia")
    sender = senders[0]
    assert set(senders) == {sender} and re.fullmatch(r"[A-Za-z0-9_-]{32,128}", sender)
    assert server_place(assistant, sender) == "Australia"
    chat.input.fill("a half-typed message")

    if how == "button":
        page.get_by_role("button", name="Quick exit").click()
    else:
        chat.input.press("Escape")

    page.wait_for_url(EXIT_URL)
    expect(page.locator("body")).to_have_text("Weather")
    deadline = time.monotonic() + 5
    while not (snapshots and forgets) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert snapshots, "no report from the page as it was left"
    before_leaving = snapshots[-1]
    assert before_leaving["messages"] == 0 and before_leaving["logText"] == ""
    assert before_leaving["input"] == "" and before_leaving["hidden"] is True
    assert (before_leaving["local"], before_leaving["session"], before_leaving["cookie"]) == (0, 0, "")
    # The server was told to forget this conversation, and did.
    assert forgets and json.loads(forgets[0]) == {"sender": sender}
    deadline = time.monotonic() + 10
    while server_place(assistant, sender) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server_place(assistant, sender) is None
    # location.replace: Back does not return to the chat.
    page.go_back()
    assert "/webhooks/widget/" not in page.url


# -- 3. XSS, from both sides ----------------------------------------------------------------------

CRAFTED_TEXT = "\n".join(
    [
        "**Bold** and <b>raw html</b> <img src=x onerror=window.__pwned=1> <script>window.__pwned=1</script>",
        "",
        "[click me](javascript:window.__pwned=1) and javascript:window.__pwned=1 and JaVaScRiPt:alert`1`",
        "",
        "- [data link](data:text/html,<script>window.__pwned=1</script>)",
        '- [spoof](https://example.org/ok) <a href="javascript:window.__pwned=1">html link</a>',
        '- <iframe src="javascript:window.__pwned=1"></iframe> <svg onload=window.__pwned=1>',
        "- mailto:help@example.org and tel:+61000000 and https://example.org/a_b_c.",
    ]
)
CRAFTED = {
    "messages": [
        {
            "recipient_id": "x",
            "text": CRAFTED_TEXT,
            "buttons": [{"title": "<img src=x onerror=window.__pwned=1>", "payload": "/hi"}],
        }
    ],
    "emergency": {
        "place": None,
        "numbers": [
            {"place": "<img src=x onerror=window.__pwned=1>", "name": "x", "number": "javascript:alert(1)"},
            {"place": "Testland", "name": "Test (123)", "number": "123"},
        ],
    },
}
USER_PAYLOADS = ["<img src=x onerror=window.__pwned=1>", "<script>window.__pwned=1</script>"]


def test_xss_payloads_from_either_side_render_as_text(open_chat, assistant):
    # A host page WITHOUT a CSP, so a payload that reached the DOM as markup would really run.
    chat = open_chat(path=HOST_PATH)
    page = chat.page
    probes = []
    page.on("request", lambda r: r.url.endswith("/x") and probes.append(r.url))
    launcher = page.get_by_role("button", name="Get support")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(page.get_by_role("dialog", name="Online abuse support")).to_be_visible()
    expect(chat.emergency.locator("a").first).to_be_visible()

    for payload in USER_PAYLOADS:
        chat.say(payload)
        expect(chat.log.locator(".asw-msg-user .asw-bubble").last).to_have_text(payload)

    page.route(
        "**/webhooks/widget/webhook",
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(CRAFTED)),
    )
    reply = chat.say("hello")
    page.unroute("**/webhooks/widget/webhook")
    page.wait_for_timeout(300)  # give any (wrongly) created <img> time to error

    root = page.locator("[data-asw-root]")
    assert root.locator("img, script, iframe, svg, b, object, embed").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not probes, "an <img src=x> was created"
    assert "<script>window.__pwned=1</script>" in reply and "<img src=x onerror=window.__pwned=1>" in reply
    assert "[click me](javascript:window.__pwned=1)" in reply and "javascript:window.__pwned=1" in reply
    hrefs = root.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(re.match(r"^(https:|tel:|mailto:)", h) for h in hrefs), hrefs
    assert not any("javascript" in h.lower() or h.startswith("data:") for h in hrefs)
    safe = root.get_by_role("link", name=re.compile(r"^spoof"))
    expect(safe).to_have_attribute("href", "https://example.org/ok")
    expect(safe).to_have_attribute("rel", "noopener noreferrer")
    expect(safe).to_have_attribute("target", "_blank")
    expect(root.locator('a[href="mailto:help@example.org"]')).to_have_count(1)
    expect(root.locator('a[href="tel:+61000000"]')).to_have_count(1)
    expect(root.locator('a[href="https://example.org/a_b_c"]')).to_have_count(1)  # full stop left out
    expect(chat.chip("<img src=x onerror=window.__pwned=1>")).to_be_visible()
    # The emergency line keeps only real numbers.
    expect(chat.emergency.locator("a")).to_have_count(1)
    expect(chat.emergency.locator("a")).to_have_attribute("href", "tel:123")
    expect(chat.emergency).not_to_contain_text("javascript")

    # Control: on this page an inline handler does run, so the checks above mean something.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__canary=1\">')")
    page.wait_for_function("window.__canary === 1")
    assert [e for e in chat.errors if "Failed to load resource" not in e] == []  # the canary's 404 aside


def test_floating_launcher_on_a_host_page(open_chat):
    chat = open_chat(path=HOST_PATH)
    page = chat.page
    launcher = page.get_by_role("button", name="Get support")
    dialog = page.get_by_role("dialog", name="Online abuse support")
    expect(dialog).to_be_hidden()
    page.keyboard.press("Escape")  # the panel is closed: Esc is the host page's business
    page.wait_for_timeout(200)
    assert page.url.endswith(HOST_PATH)

    launcher.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(launcher).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('asw-panel')")
    expect(chat.emergency.locator("a").first).to_be_visible()  # fetched on open
    page.keyboard.press("Tab")  # the first stop inside is the emergency line
    assert page.evaluate("document.activeElement.getAttribute('href') || ''").startswith("tel:")
    page.get_by_role("button", name="Close chat").click()
    expect(dialog).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    # Host page styles (red text, big margins) do not reach the widget.
    launcher.click()
    assert page.locator(".asw-note").evaluate("e => getComputedStyle(e).color") != "rgb(204, 0, 0)"
    assert page.locator(".asw-exit").evaluate("e => getComputedStyle(e).marginTop") == "0px"
    page.keyboard.press("Escape")
    page.wait_for_url(EXIT_URL)
    assert chat.errors == []


# -- 4. keyboard only ------------------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), cls: el.className, text: (el.textContent || '').trim(),
          href: el.getAttribute('href'), outline: [style.outlineStyle, style.outlineWidth]};
}"""


def test_keyboard_only(open_chat):
    chat = open_chat()
    page = chat.page
    stops = []
    for _ in range(20):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        if stops[-1]["tag"] == "button" and "asw-send" in stops[-1]["cls"]:
            break
    kinds = []
    for stop in stops:
        assert stop["outline"] == ["solid", "3px"], f"focus not visible on {stop}"
        if stop["href"] and stop["href"].startswith("tel:"):
            kind = "emergency"
        elif "asw-exit" in stop["cls"]:
            kind = "quick exit"
        elif "asw-log" in stop["cls"]:
            kind = "conversation"
        elif "asw-input" in stop["cls"]:
            kind = "input"
        elif "asw-send" in stop["cls"]:
            kind = "send"
        else:
            kind = stop["tag"]
        if not kinds or kinds[-1] != kind:
            kinds.append(kind)
    assert kinds == ["emergency", "quick exit", "conversation", "input", "send"], stops

    page.keyboard.press("Shift+Tab")  # back to the input
    assert page.evaluate(FOCUSED)["cls"] == "asw-input"
    page.keyboard.type(DOXXING)
    before = chat.bot_count()
    page.keyboard.press("Enter")
    assert "Where are you" in chat.wait_reply(before)

    # Back from the input to the suggested replies, then Space on one.
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        focused = page.evaluate(FOCUSED)
        if focused["text"] == "Australia":
            break
    assert "asw-chip" in focused["cls"] and focused["text"] == "Australia"
    assert focused["outline"] == ["solid", "3px"]
    before = chat.bot_count()
    page.keyboard.press("Space")
    assert "474.17C" in chat.wait_reply(before)
    assert page.evaluate(FOCUSED)["cls"] == "asw-input"  # focus is not lost when the chip goes

    # Enter on a suggested reply works too, and Shift+Enter is a new line, not a send.
    page.keyboard.press("Shift+Tab")
    assert "asw-chip" in page.evaluate(FOCUSED)["cls"]
    before = chat.bot_count()
    page.keyboard.press("Enter")
    chat.wait_reply(before)
    page.keyboard.type("line one")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("line two")
    assert chat.input.input_value() == "line one\nline two"
    assert chat.errors == []


# -- 5. phone and desktop ------------------------------------------------------------------------

REPLY_START_VISIBLE = """n => {
  const log = document.querySelector('.asw-log').getBoundingClientRect();
  const top = document.querySelectorAll('.asw-msg-bot:not(.asw-typing)')[n].getBoundingClientRect().top;
  return top >= log.top - 1 && top < log.bottom - 40;
}"""


def _converse_and_shoot(chat, path: Path):
    chat.say(DOXXING)
    before = chat.bot_count()
    assert "474.17C" in chat.click_chip("Australia")
    chat.page.wait_for_timeout(200)
    # A long answer is shown from its start (the person reads down), not scrolled to its end.
    assert chat.page.evaluate(REPLY_START_VISIBLE, before), "the start of the answer is scrolled out of view"
    ARTIFACTS.mkdir(exist_ok=True)
    chat.page.screenshot(path=str(path))


def test_phone_size_and_screenshots(open_chat):
    chat = open_chat(
        viewport=(360, 640), device_scale_factor=2, is_mobile=True, has_touch=True, reduced_motion="reduce"
    )
    page = chat.page
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    _converse_and_shoot(chat, ARTIFACTS / "widget-phone.png")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    assert page.evaluate(
        "(() => { const l = document.querySelector('.asw-log'); " "return l.scrollWidth <= l.clientWidth; })()"
    ), "the conversation scrolls sideways"
    # Everything to tap is at least 44px tall, and nothing sticks out of the screen.
    targets = [chat.input, page.locator(".asw-send"), page.get_by_role("button", name="Quick exit")]
    targets += page.locator(".asw-chip").all()
    for target in targets:
        box = target.bounding_box()
        assert box["height"] >= 44, f"{target} is {box['height']}px tall"
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert chat.input.get_attribute("maxlength") == "2000"
    assert chat.errors == []

    desktop = open_chat(viewport=(1280, 800))
    _converse_and_shoot(desktop, ARTIFACTS / "widget-desktop.png")
    assert desktop.errors == []


# -- 6. the server cannot be reached --------------------------------------------------------------


def test_unreachable_server_shows_retry_and_retry_resends(open_chat):
    chat = open_chat()
    page = chat.page
    sent = []
    page.on("request", lambda r: r.url.endswith("/webhooks/widget/webhook") and sent.append(r.post_data))
    page.route("**/webhooks/widget/webhook", lambda route: route.abort())
    chat.input.fill(DOXXING)
    chat.input.press("Enter")
    error = page.locator(".asw-error")
    expect(error).to_contain_text("didn't reach us")
    expect(page.locator(".asw-failed-label")).to_have_text("Not sent")
    expect(chat.input).to_have_value("")

    # Still failing (now a server error): the same message again, and the same help.
    page.unroute("**/webhooks/widget/webhook")
    page.route("**/webhooks/widget/webhook", lambda route: route.fulfill(status=500, body="{}"))
    page.get_by_role("button", name="Retry").click()
    expect(error).to_have_count(1)
    expect(error).to_contain_text("didn't reach us")

    page.unroute("**/webhooks/widget/webhook")
    before = chat.bot_count()
    page.get_by_role("button", name="Retry").click()
    assert "Where are you" in chat.wait_reply(before)
    expect(error).to_have_count(0)
    expect(page.locator(".asw-failed-label")).to_have_count(0)
    expect(chat.log.locator(".asw-msg-user")).to_have_count(1)  # shown once, sent three times
    assert len(sent) == 3 and len({json.dumps(json.loads(s), sort_keys=True) for s in sent}) == 1


# -- 7. CSP, and a clean console --------------------------------------------------------------------


def test_demo_page_has_csp_and_no_console_errors(open_chat, assistant):
    chat = open_chat()
    csp = chat.response.headers.get("content-security-policy", "")
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ]:
        assert directive in csp
    assert chat.page.title() == "Online abuse support"
    chat.say(DOXXING)
    chat.click_chip("Australia")
    expect(chat.log).to_contain_text("474.17C")
    chat.page.wait_for_timeout(300)
    assert chat.errors == [], chat.errors  # includes any CSP violation, which Chromium logs as an error


# -- 8. nothing stored on the device -----------------------------------------------------------------


def test_nothing_stored_on_the_device(open_chat, assistant):
    chat = open_chat()
    page = chat.page
    senders = []
    page.on(
        "request",
        lambda r: r.url.endswith("/webhooks/widget/webhook") and senders.append(json.loads(r.post_data)["sender"]),
    )
    chat.say(DOXXING)
    chat.click_chip("Australia")
    expect(chat.log).to_contain_text("474.17C")
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("sessionStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    assert page.context.cookies() == []
    assert senders[0] not in page.content()  # the id is in memory only, not in the page

    # A reload starts afresh, and leaving the page made the server forget the old conversation.
    page.reload()
    expect(chat.emergency.locator("a").first).to_be_visible()
    expect(page.locator(".asw-msg:not(.asw-typing)")).to_have_count(1)  # just the greeting
    deadline = time.monotonic() + 10
    while server_place(assistant, senders[0]) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server_place(assistant, senders[0]) is None
    assert chat.storage() == {"local": 0, "session": 0, "cookie": ""}
