"""A seventh jurisdiction, Ireland, added as data only: tests use it to show that a new
country needs YAML and no code (knowledge, answers, generated responses, buttons).

Fixture data, not facts: its sources are example addresses and nothing here is shown to people.
"""

import shutil
from pathlib import Path

import yaml

from bot.knowledge import KnowledgeBase

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
IRELAND = {
    "id": "IE",
    "name": "Ireland",
    "aliases": ["ireland", "irish", "dublin", "cork"],
    "contacts": [
        {
            "id": "ie-112",
            "name": "Emergency services",
            "kind": "emergency",
            "phone": "112",
            "when": "Immediate danger.",
            "sources": ["https://www.example.org/ie/emergency"],
            "last_reviewed": "2026-11-21",
        },
        {
            "id": "ie-crisis",
            "name": "Crisis line",
            "kind": "crisis",
            "phone": "116 123",
            "when": "Despair.",
            "sources": ["https://www.example.org/ie/crisis"],
            "last_reviewed": "2026-11-21",
        },
        {
            "id": "ie-police",
            "name": "Local police station",
            "kind": "police",
            "url": "https://www.example.org/ie/police",
            "when": "To report what happened.",
            "sources": ["https://www.example.org/ie/police"],
            "last_reviewed": "2026-11-21",
        },
    ],
    "offences": [
        {
            "id": "ie-threats",
            "section": "s 5",
            "law": "Example Act 1997",
            "title": "Threats to kill",
            "covers": "Threats to kill or cause serious harm.",
            "elements": ["A threat was made."],
            "max_penalty": "10 years imprisonment",
            "harms": ["threats"],
            "sources": ["https://www.example.org/ie/act"],
            "last_reviewed": "2026-11-21",
        },
    ],
}


def knowledge_dir_with_ireland(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    (target / "jurisdictions" / "ie.yml").write_text(yaml.safe_dump(IRELAND, sort_keys=False), encoding="utf-8")
    return target


def knowledge_with_ireland(tmp_path: Path) -> KnowledgeBase:
    return KnowledgeBase(knowledge_dir_with_ireland(tmp_path))
