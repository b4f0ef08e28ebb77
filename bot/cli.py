"""The volunteer's reference tool: `python -m bot COMMAND ...`.

Exit codes: 0 found, 1 nothing found or unknown input (with a message saying what
was understood), 2 usage error (argparse), 3 the knowledge base is broken.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional

from bot import answers, volunteer
from bot.answers import NotFoundError
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.knowledge.schema import Entry
from bot.places import UNKNOWN
from bot.render import DISCLAIMER, Answer, contact_line, sources_of, to_markdown, topic_lines


def _place(kb: KnowledgeBase, text: str) -> str:
    place = kb.places.resolve(text)
    alternatives = kb.places.alternatives(text) if place == UNKNOWN else []
    if alternatives:
        raise NotFoundError(f"{text!r} could mean {' or '.join(alternatives)}: please write the full name.")
    if place == UNKNOWN:
        covered = ", ".join(f"{j.id} ({j.name})" for j in kb.covered())
        raise NotFoundError(f"I don't recognise the place {text!r}. Places covered: {covered}.")
    return place


def contacts_for_volunteers(kb: KnowledgeBase, place: str, all_regions: bool = False) -> Answer:
    """Emergency, crisis and reporting contacts, plus young people's lines and police oversight bodies."""
    answer = answers.contacts_answer(kb, place)
    name = kb.places.name(kb.country_of(place))
    youth = kb.youth(place)
    answer.add(f"Children and young people ({name})", [contact_line(c, brief=False) for c in youth], sources_of(youth))
    oversight = kb.oversight(place, all_regions=all_regions)
    lines = [
        contact_line(c, brief=False) + (f" ({', '.join(kb.places.name(r) for r in c.regions)})" if c.regions else "")
        for c in oversight
    ]
    answer.add(f"Complaints about police ({name})", lines, sources_of(oversight))
    return answer


def stale_report(kb: KnowledgeBase, days: int, today: Optional[date] = None) -> str:
    """Entries due for review, grouped by file, with the pages to re-check.

    Due: last reviewed more than `days` days ago, or carrying facts marked `unverified`.
    """
    today = today or date.today()
    due: Dict[str, List[Entry]] = kb.stale(days, today)
    unchecked: Dict[str, List[Entry]] = kb.unverified()
    if not due and not unchecked:
        return f"nothing due: every entry was reviewed in the last {days} days (as of {today.isoformat()})"
    lines: List[str] = []
    if due:
        count = sum(len(entries) for entries in due.values())
        lines += [
            f"{count} {'entry' if count == 1 else 'entries'} due for review: last checked against their "
            f"sources more than {days} days before {today.isoformat()}.",
            "",
        ]
        lines += _entry_lines(due, today)
    if unchecked:
        count = sum(len(entries) for entries in unchecked.values())
        lines += [
            f"{count} {'entry has' if count == 1 else 'entries have'} facts not yet verified against "
            "a cited page (whatever their date):",
            "",
        ]
        lines += _entry_lines(unchecked, today, show_unverified=True)
    lines.append(
        "Re-check each entry against the pages listed, fix what changed, then set its "
        "last_reviewed to the day you checked."
    )
    return "\n".join(lines)


def _entry_lines(grouped: Dict[str, List[Entry]], today: date, show_unverified: bool = False) -> List[str]:
    lines: List[str] = []
    for path in sorted(grouped):
        lines.append(f"{path} ({len(grouped[path])})")
        for entry in grouped[path]:
            age = (today - entry.last_reviewed).days
            lines.append(f"  {entry.id}: last reviewed {entry.last_reviewed.isoformat()} ({age} days ago)")
            urls = list(entry.sources)
            for route in getattr(entry, "routes", []):  # a platform: its routes' own pages too
                urls += [u for u in [route.url] + list(route.sources or []) if u not in urls]
            lines += [f"    check: {url}" for url in urls]
            if show_unverified:
                lines += [f"    unverified: {note}" for note in entry.unverified]
            lines += [f"    note: {note}" for note in entry.review_notes]
        lines.append("")
    return lines


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"days cannot be negative, got {value}")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-12-31, got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Quick reference for volunteers: offences, contacts, cross-border routes and "
        "printable cards, straight from the project's knowledge base. " + DISCLAIMER,
        epilog='Examples:\n  python -m bot search 474.17C\n  python -m bot search "threat to kill"\n'
        "  python -m bot contacts NZ\n  python -m bot route AU US\n  python -m bot recording WA\n"
        "  python -m bot export --jurisdiction AU --format html --output au-card.html\n"
        "  python -m bot stale --days 30",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--knowledge", type=Path, help="knowledge folder (default: the project's knowledge/)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("search", help="find an offence by section number, or anything by words")
    s.add_argument("query", help='a section ("474.17C", "s 264.1") or words ("threat to kill")')
    s.add_argument("--place", help="only this jurisdiction (a country code such as AU, or a place name)")
    c = sub.add_parser("contacts", help="emergency, crisis and reporting contacts for a place")
    c.add_argument("place", help="a country, state or city: NZ, Australia, Perth, the States...")
    r = sub.add_parser("route", help="cross-border route: where the victim is, where the harasser is")
    r.add_argument("victim_place")
    r.add_argument("harasser_place")
    rec = sub.add_parser("recording", help="may a person record a call they are part of? (AU states)")
    rec.add_argument("place", help="a state or territory (NSW, Victoria, Perth...) or AU for all")
    t = sub.add_parser("topic", help="a guidance topic by id (see 'topics')")
    t.add_argument("topic_id")
    sub.add_parser("topics", help="list the guidance topics")
    e = sub.add_parser("export", help="a printable quick-reference card for one jurisdiction")
    e.add_argument("--jurisdiction", required=True, help="a country code from the knowledge base, such as AU")
    e.add_argument("--format", choices=("md", "html"), default="md")
    e.add_argument("--output", type=Path, help="write to this file instead of standard output")
    p = sub.add_parser("place", help="show how a place name resolves")
    p.add_argument("text")
    sub.add_parser("check", help="validate the knowledge base and exit")
    st = sub.add_parser("stale", help="entries whose review is older than N days, grouped by file")
    st.add_argument("--days", type=_days, required=True, help="list entries last reviewed more than this many days ago")
    st.add_argument("--as-of", type=_date, dest="as_of", help="count the days back from this date (default: today)")
    return parser


def run(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        kb = KnowledgeBase(args.knowledge) if args.knowledge else load_knowledge()
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 3
    try:
        text = _dispatch(kb, args)
    except NotFoundError as missing:
        print(missing, file=sys.stderr)
        return 1
    if text is not None:
        try:
            print(text)
        except BrokenPipeError:  # `python -m bot stale --days 30 | head`: the reader stopped early
            sys.stderr.close()
    return 0


def _dispatch(kb: KnowledgeBase, args) -> Optional[str]:
    if args.command == "search":
        place = _place(kb, args.place) if args.place else None
        return to_markdown(answers.search_answer(kb, args.query, place), max_sources=8)
    if args.command == "contacts":
        return to_markdown(contacts_for_volunteers(kb, _place(kb, args.place)), max_sources=8)
    if args.command == "route":
        return to_markdown(answers.route_answer(kb, _place(kb, args.victim_place), _place(kb, args.harasser_place)))
    if args.command == "recording":
        return to_markdown(answers.recording_answer(kb, _place(kb, args.place)), max_sources=8)
    if args.command == "topics":
        return "\n".join(f"{t.id:<28} {t.title}" for t in kb.topics.values())
    if args.command == "topic":
        topic = kb.topic(args.topic_id)
        if topic is None:
            raise NotFoundError(f"No topic {args.topic_id!r}. Run 'python -m bot topics' for the list.")
        return to_markdown(Answer().add(topic.title, [topic.summary] + topic_lines(topic), topic.sources), 8)
    if args.command == "place":
        place = _place(kb, args.text)
        return f"{args.text!r} -> {place} ({kb.places.name(place)})"
    if args.command == "check":
        count = sum(len(j.contacts) + len(j.offences) for j in kb.covered()) + len(kb.topics)
        return (
            f"knowledge base OK: {len(kb.jurisdictions)} jurisdictions, {count} entries, "
            f"{len(kb.platforms)} platforms"
        )
    if args.command == "stale":
        return stale_report(kb, args.days, args.as_of)
    if args.command == "export":
        return export(kb, args)
    raise AssertionError(args.command)  # argparse only lets known commands through


def export(kb: KnowledgeBase, args) -> str:
    """The printable card: the reference desk's country panel (bot/volunteer.py), the same content
    the page at /webhooks/volunteer/ shows and prints, as HTML (with the page's stylesheet) or Markdown."""
    country = kb.country_of(_place(kb, args.jurisdiction))
    panel = volunteer.country_panel(kb, country)
    title = f"Online abuse quick reference: {panel.name} (generated {date.today().isoformat()})"
    text = volunteer.export_html(panel, title) if args.format == "html" else volunteer.panel_markdown(panel, title)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        return f"wrote {args.output}"
    return text
