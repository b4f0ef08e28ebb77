"""Markdown -> text for the Twilio channels (SMS and WhatsApp): the one place where it happens.

Actions send the same small Markdown subset to every channel (**bold**, _italic_, "- "
bullets, numbered lines, bare https links) plus buttons. People on SMS and WhatsApp read
plain text, so the Twilio output channels turn each message into one body:

- markup goes: SMS keeps the words only; WhatsApp shows *bold* and _italic_ natively
  (a heading or a helpline name in bold is easier to find on a small screen, and it costs
  nothing: WhatsApp reads the asterisks as formatting, not as text);
- a line that is only bold is a heading: "Heading:" on SMS, "*Heading*" on WhatsApp;
- [text](https://...) becomes "text (https://...)", since neither can hide a link;
- buttons become one numbered line, "Reply 1 for ..., 2 for ..."; the channel maps a
  reply "1".."9" back to that button's payload;
- within the channel's length: whole lines from the top while they fit, and always the
  last block (sources and the "general legal information" disclaimer), shortened to its
  first source when space runs out, then the numbered options.

SMS also swaps typographic quotes and dashes for plain ones, which keeps a message in
GSM-7 (153 characters a segment instead of 67), and allows fewer characters when a
message needs UCS-2 anyway (a reply with Chinese, Arabic or Hindi words in it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence

# Twilio's Messages API takes a Body of at most 1,600 characters, for SMS and WhatsApp alike
# (https://www.twilio.com/docs/api/errors/21617, https://www.twilio.com/docs/api/errors/21658).
# WhatsApp itself allows 4,096, but Twilio refuses anything longer than 1,600.
TWILIO_BODY_LIMIT = 1600
SMS_GSM_LIMIT = 1530  # ten concatenated GSM-7 segments of 153 characters
SMS_UCS2_LIMIT = 670  # ten concatenated UCS-2 segments of 67 characters

# Typography that would force a whole SMS into UCS-2.
_GSM_SWAPS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "-",
        "\u2212": "-",
    }
)
# GSM 03.38: the basic set, and the extension set (two septets each).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")

_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_STAR_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_UNDERSCORE_ITALIC = re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w_])")
_CODE = re.compile(r"`([^`\n]+)`")
_HEADING_HASH = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+•]\s+")
_ONLY_BOLD = re.compile(r"^\s*(?:\*\*|__)(?=\S)([^*_]+?)(?<=\S)(?:\*\*|__)\s*:?\s*$")
_TAIL = re.compile(r"^\s*(?:_\s*)?(sources?:|this is general legal information)", re.I)
_SOURCES = re.compile(r"^\s*sources?:\s*(.*)$", re.I | re.S)
_END_PUNCTUATION = ".!?:;。！？："


@dataclass(frozen=True)
class TextStyle:
    """How one Twilio channel shows text."""

    name: str
    limit: int  # at most this many characters (UTF-16 code units, as Twilio counts them)
    first_reply: int  # a first answer's budget: short first, the rest one reply away
    native_emphasis: bool  # WhatsApp: *bold* and _italic_; SMS: words only
    gsm: bool  # SMS: swap typography for GSM-7 and allow fewer characters in UCS-2

    def limit_for(self, text: str) -> int:
        if self.gsm and not is_gsm7(text):
            return SMS_UCS2_LIMIT
        return self.limit

    def length(self, text: str) -> int:
        if self.gsm and is_gsm7(text):
            return sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        return len(text.encode("utf-16-le")) // 2

    def fits(self, text: str) -> bool:
        return self.length(text) <= self.limit_for(text)


SMS_FIRST_REPLY = 3 * 153  # three GSM-7 segments
WHATSAPP_FIRST_REPLY = 800  # about the widget's 120 words, one phone screen

SMS = TextStyle("sms", SMS_GSM_LIMIT, SMS_FIRST_REPLY, native_emphasis=False, gsm=True)
WHATSAPP = TextStyle("whatsapp", TWILIO_BODY_LIMIT, WHATSAPP_FIRST_REPLY, native_emphasis=True, gsm=False)
MAX_OPTIONS = 2  # numbered options on a text answer: each costs characters a person may pay for


def is_gsm7(text: str) -> bool:
    return all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text)


def options_line(buttons: Sequence) -> str:
    """Buttons as one numbered line: "Reply 1 for Save evidence, 2 for Where to report."."""
    titles = [_title(b) for b in buttons or []]
    titles = [t for t in titles if t][:9]  # a reply "1".."9" maps back; there is no "10"
    if not titles:
        return ""
    return "Reply " + ", ".join(f"{i} for {t}" for i, t in enumerate(titles, 1)) + "."


def _title(button) -> str:
    title = button.get("title") if isinstance(button, dict) else (button[0] if button else "")
    return " ".join(str(title or "").split())


# -- Markdown -> lines ---------------------------------------------------------------------


def inline(text: str, style: TextStyle) -> str:
    """Inline markup of one line, for the channel."""
    text = _LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text)
    text = _CODE.sub(r"\1", text)
    if style.native_emphasis:
        # WhatsApp: *bold*, _italic_. Markdown's single-asterisk italic goes first, so that
        # the bold made next is not read as italic.
        text = _STAR_ITALIC.sub(r"_\1_", text)
        return _BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", text)
    text = _BOLD.sub(lambda m: m.group(1) or m.group(2), text)
    text = _STAR_ITALIC.sub(r"\1", text)
    return _UNDERSCORE_ITALIC.sub(r"\1", text)


def _line(line: str, style: TextStyle) -> str:
    line = line.rstrip()
    heading = _HEADING_HASH.match(line)
    if heading:
        line = f"**{heading.group(1)}**"
    only_bold = _ONLY_BOLD.match(line)
    if only_bold:
        title = only_bold.group(1).strip()
        if style.native_emphasis:
            return f"*{title}*"
        return title if title[-1] in _END_PUNCTUATION else title + ":"
    bullet = _BULLET.match(line)
    if bullet:
        line = f"{bullet.group(1)}- " + line[bullet.end() :]
    return inline(line, style)


def _blocks(text: str) -> List[List[str]]:
    """Paragraphs (blank-line separated) as lists of raw lines."""
    blocks: List[List[str]] = [[]]
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw.strip():
            blocks[-1].append(raw)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _split_tail(blocks: List[List[str]]):
    """The last blocks that are sources or the disclaimer: kept whatever else is cut."""
    cut = len(blocks)
    while cut > 0 and len(blocks[cut - 1]) == 1 and _TAIL.match(blocks[cut - 1][0]):
        cut -= 1
    if cut == 0:  # a message that is only a source line is all body
        return blocks, []
    return blocks[:cut], blocks[cut:]


def _short_tail(tail: List[str]) -> List[str]:
    """Sources -> the first one only ("Source: https://..."), as space runs out."""
    short = []
    for line in tail:
        sources = _SOURCES.match(line)
        if sources:
            first = re.split(r",\s*|\s+", sources.group(1).strip())[0]
            if first:
                short.append(f"Source: {first}")
        else:
            short.append(line)
    return short


# -- one message -----------------------------------------------------------------------------


def render(text: Optional[str], buttons: Sequence = (), style: TextStyle = SMS) -> str:
    """One bot message as one body for `style`: converted markup, within the limit,
    the tail (sources, disclaimer) kept, the numbered options last."""
    raw = (text or "").strip()
    if style.gsm:
        raw = raw.translate(_GSM_SWAPS)
    body_blocks, tail_blocks = _split_tail(_blocks(raw))
    body = [[_line(line, style) for line in block] for block in body_blocks]
    tail = [_line(block[0], style) for block in tail_blocks]
    options = options_line(buttons)

    whole = _join(body, tail, options)
    if style.fits(whole):
        return whole
    for shortened_tail in (_short_tail(tail), []):  # when cutting, the body matters more than 4 URLs
        kept = _fit_lines(body, shortened_tail, options, style)
        if kept is not None:
            return kept
    # Even the options alone are too long (a very long button title): cut them too.
    return _cut(options, lambda head: head, style)


def compose(lines: Sequence[str], keep: Sequence[str], style: TextStyle = SMS) -> str:
    """Plain lines (no markup) within the limit: `lines` from the top while they fit, `keep` always."""
    swap = (lambda t: t.translate(_GSM_SWAPS)) if style.gsm else (lambda t: t)
    body, tail = [[swap(line) for line in lines]], [swap(line) for line in keep]
    whole = _join(body, [], "\n".join(tail))
    if style.fits(whole):
        return whole
    return _fit_lines(body, [], "\n".join(tail), style) or _cut("\n".join(tail), lambda head: head, style)


def _join(body: List[List[str]], tail: List[str], options: str) -> str:
    paragraphs = ["\n".join(block) for block in body if block] + ["\n".join(tail)] * bool(tail)
    text = "\n\n".join(p for p in paragraphs if p)
    return "\n".join(part for part in (text, options) if part)


def _fit_lines(body: List[List[str]], tail: List[str], options: str, style: TextStyle) -> Optional[str]:
    """Whole lines from the top while they fit with `tail` and `options`; None if nothing does."""
    if not style.fits(_join([], tail, options)):
        return None
    kept: List[List[str]] = []
    for block in body:
        kept.append([])
        for line in block:
            kept[-1].append(line)
            if not style.fits(_join(kept, tail, options)):
                kept[-1].pop()
                if not any(kept):  # the very first line alone is too long: cut it at a word
                    return _join([[_cut(line, lambda head: _join([[head]], tail, options), style)]], tail, options)
                return _join(kept, tail, options)
    return _join(kept, tail, options)


def _cut(line: str, whole, style: TextStyle) -> str:
    """The longest start of `line`, cut at a word and ending in "...", for which `whole(start)` fits."""

    def candidate(n: int) -> str:
        head = line[:n]
        if n < len(line) and " " in head.strip():
            head = head.rstrip().rsplit(" ", 1)[0]
        return head.rstrip() + "..."

    low, high = 0, len(line)
    while low < high:  # the largest n whose candidate fits
        middle = (low + high + 1) // 2
        if style.fits(whole(candidate(middle))):
            low = middle
        else:
            high = middle - 1
    return candidate(low) if low else ""


# -- several messages --------------------------------------------------------------------------


def pack(bodies: Iterable[str], style: TextStyle = SMS) -> List[str]:
    """Join consecutive bodies (blank line between) while they fit in one message."""
    packed: List[str] = []
    for body in bodies:
        if not body:
            continue
        if packed and style.fits(packed[-1] + "\n\n" + body):
            packed[-1] += "\n\n" + body
        else:
            packed.append(body)
    return packed
