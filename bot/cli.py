"""The volunteer's reference tool: `python -m bot COMMAND ...`.

Exit codes: 0 found, 1 nothing found or unknown input (with a message saying what
was understood), 2 usage error (argparse), 3 the knowledge base is broken.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import List, Optional

from bot import answers, volunteer
from bot.answers import NotFound
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.places import UNKNOWN
from bot.render import DISCLAIMER, Answer, to_markdown, topic_lines


def _place(kb: KnowledgeBase, text: str) -> str:
    place = kb.places.resolve(text)
    alternatives = kb.places.alternatives(text) if place == UNKNOWN else []
    if alternatives:
        raise NotFound(f"{text!r} could mean {' or '.join(alternatives)}: please write the full name.")
    if place == UNKNOWN:
        covered = ", ".join(f"{j.id} ({j.name})" for j in kb.covered())
        raise NotFound(f"I don't recognise the place {text!r}. Places covered: {covered}.")
    return place


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Quick reference for volunteers: offences, contacts, cross-border routes and "
                    "printable cards, straight from the project's knowledge base. "
                    + DISCLAIMER,
        epilog="Examples:\n  python -m bot search 474.17C\n  python -m bot search \"threat to kill\"\n"
               "  python -m bot contacts NZ\n  python -m bot route AU US\n  python -m bot recording WA\n"
               "  python -m bot export --jurisdiction AU --format html --output au-card.html",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--knowledge", type=Path, help="knowledge folder (default: the project's knowledge/)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("search", help="find an offence by section number, or anything by words")
    s.add_argument("query", help='a section ("474.17C", "s 264.1") or words ("threat to kill")')
    s.add_argument("--place", help="only this jurisdiction (AU, NZ, US, UK, CA, ZA or a place name)")
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
    e.add_argument("--jurisdiction", required=True, help="AU, NZ, US, UK, CA or ZA")
    e.add_argument("--format", choices=("md", "html"), default="md")
    e.add_argument("--output", type=Path, help="write to this file instead of standard output")
    p = sub.add_parser("place", help="show how a place name resolves")
    p.add_argument("text")
    sub.add_parser("check", help="validate the knowledge base and exit")
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
    except NotFound as missing:
        print(missing, file=sys.stderr)
        return 1
    if text is not None:
        print(text)
    return 0


def _dispatch(kb: KnowledgeBase, args) -> Optional[str]:
    if args.command == "search":
        place = _place(kb, args.place) if args.place else None
        return to_markdown(answers.search_answer(kb, args.query, place), max_sources=8)
    if args.command == "contacts":
        return to_markdown(answers.contacts_answer(kb, _place(kb, args.place)), max_sources=8)
    if args.command == "route":
        return to_markdown(answers.route_answer(kb, _place(kb, args.victim_place), _place(kb, args.harasser_place)))
    if args.command == "recording":
        return to_markdown(answers.recording_answer(kb, _place(kb, args.place)), max_sources=8)
    if args.command == "topics":
        return "\n".join(f"{t.id:<28} {t.title}" for t in kb.topics.values())
    if args.command == "topic":
        topic = kb.topic(args.topic_id)
        if topic is None:
            raise NotFound(f"No topic {args.topic_id!r}. Run 'python -m bot topics' for the list.")
        return to_markdown(Answer().add(topic.title, [topic.summary] + topic_lines(topic), topic.sources), 8)
    if args.command == "place":
        place = _place(kb, args.text)
        return f"{args.text!r} -> {place} ({kb.places.name(place)})"
    if args.command == "check":
        count = sum(len(j.contacts) + len(j.offences) for j in kb.covered()) + len(kb.topics)
        return f"knowledge base OK: {len(kb.jurisdictions)} jurisdictions, {count} entries"
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
