"""Read knowledge/ once, validate it, and fail loudly with file, entry and field named."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml
from pydantic import ValidationError

from bot.knowledge.schema import ALL_HARMS, HarmsFile, Jurisdiction, Platform, PlatformsFile, TopicsFile


class KnowledgeError(ValueError):
    """A knowledge file is missing, unreadable or does not match the schema."""

    def __init__(self, problems: List[str]):
        self.problems = problems
        super().__init__("knowledge base is invalid:\n  " + "\n  ".join(problems))


def _read_yaml(path: Path, root: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        raise KnowledgeError([f"{_rel(path, root)}: not valid YAML: {error}"]) from error
    except UnicodeDecodeError as error:
        raise KnowledgeError([f"{_rel(path, root)}: not UTF-8 text: {error}"]) from error


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _describe_location(raw: Any, loc: Tuple[Any, ...]) -> Tuple[str, str]:
    """Turn pydantic's error location into ("entry 'x' (offences[2])", "field 'y'")."""
    entry, node, path = "", raw, []
    for index, part in enumerate(loc):
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            path.append(f"[{part}]")
            if isinstance(node, dict) and "id" in node:
                entry = f"entry '{node['id']}' ({''.join(path).lstrip('.')})"
                rest = loc[index + 1 :]
                field = ".".join(str(p) for p in rest) or "(the entry itself)"
                continue
        elif isinstance(node, dict):
            node = node.get(part)
            path.append(f".{part}" if path else str(part))
        else:
            node = None
            path.append(f".{part}")
    if entry:
        return entry, f"field '{field}'"
    return "top level", f"field '{''.join(path)}'"


def _validate(model, raw: Any, path: Path, root: Path, problems: List[str]):
    if not isinstance(raw, dict):
        problems.append(f"{_rel(path, root)}: expected a mapping at the top, got {type(raw).__name__}")
        return None
    try:
        return model.parse_obj(raw)
    except ValidationError as error:
        for item in error.errors():
            entry, field = _describe_location(raw, tuple(item["loc"]))
            problems.append(f"{_rel(path, root)}: {entry}: {field}: {item['msg']}")
        return None


@dataclass
class Loaded:
    """Everything read from knowledge/, plus the file each fact-bearing entry came from."""

    jurisdictions: Dict[str, Jurisdiction]
    topics: Dict[str, Any]
    harms: HarmsFile
    platforms: Dict[str, Platform]
    files: Dict[str, str] = field(default_factory=dict)  # entry id -> "knowledge/jurisdictions/au.yml"

    def __iter__(self):  # the old (jurisdictions, topics, harms) unpacking keeps working
        return iter((self.jurisdictions, self.topics, self.harms))


PLATFORMS_FILE = "platforms.yml"


def load_files(root: Path) -> Loaded:
    """Parse every file under `root`; raise KnowledgeError listing every problem found."""
    root = Path(root)
    if not root.is_dir():
        raise KnowledgeError([f"{root}: knowledge folder not found"])
    problems: List[str] = []
    files: Dict[str, str] = {}

    jurisdictions: Dict[str, Jurisdiction] = {}
    jurisdiction_files: Dict[str, str] = {}
    for path in sorted((root / "jurisdictions").glob("*.yml")):
        parsed = _validate(Jurisdiction, _read_yaml(path, root), path, root, problems)
        if parsed is None:
            continue
        if parsed.id in jurisdictions:
            problems.append(f"{_rel(path, root)}: jurisdiction '{parsed.id}' is defined twice")
        jurisdictions[parsed.id] = parsed
        jurisdiction_files[parsed.id] = _rel(path, root)
        for _, entry in _entries(parsed):
            files.setdefault(entry.id, _rel(path, root))
    if not jurisdictions and not problems:
        problems.append(f"{root}/jurisdictions: no jurisdiction files found")

    topics: Dict[str, Any] = {}
    for path in sorted((root / "topics").glob("*.yml")):
        parsed = _validate(TopicsFile, _read_yaml(path, root), path, root, problems)
        for topic in parsed.topics if parsed else []:
            if topic.id in topics:
                problems.append(f"{_rel(path, root)}: entry '{topic.id}': id is used twice")
            topics[topic.id] = topic
            files.setdefault(topic.id, _rel(path, root))

    harms_path = root / "harms.yml"
    harms = None
    if harms_path.is_file():
        harms = _validate(HarmsFile, _read_yaml(harms_path, root), harms_path, root, problems)
    else:
        problems.append(f"{_rel(harms_path, root)}: file not found")

    other_ids = set(files)
    platforms: Dict[str, Platform] = {}
    platforms_path = root / PLATFORMS_FILE
    if platforms_path.is_file():  # optional: a knowledge base without platform routes still loads
        parsed = _validate(PlatformsFile, _read_yaml(platforms_path, root), platforms_path, root, problems)
        for platform in parsed.platforms if parsed else []:
            if platform.id in platforms:
                problems.append(f"{_rel(platforms_path, root)}: entry '{platform.id}': id is used twice")
            platforms[platform.id] = platform
            files.setdefault(platform.id, _rel(platforms_path, root))

    if not problems:
        problems.extend(_cross_check(jurisdictions, topics, harms, jurisdiction_files))
        problems.extend(_check_platforms(platforms, harms, other_ids, _rel(platforms_path, root)))
    if problems:
        raise KnowledgeError(problems)
    return Loaded(jurisdictions, topics, harms, platforms, files)


def _entries(jurisdiction: Jurisdiction) -> Iterable[Tuple[str, Any]]:
    for contact in jurisdiction.contacts:
        yield "contacts", contact
    for offence in jurisdiction.offences:
        yield "offences", offence
    for extra in (jurisdiction.harasser_here, jurisdiction.victim_here_harasser_abroad):
        if extra is not None:
            yield "cross-border", extra
    for region in jurisdiction.regions:
        if region.recording is not None:
            yield "recording", region.recording


def _cross_check(jurisdictions, topics, harms, jurisdiction_files: Optional[Dict[str, str]] = None) -> List[str]:
    """References between files: ids unique, harms and topics and contacts exist."""
    problems: List[str] = []
    harm_ids = {h.id for h in harms.harms}
    seen: Dict[str, str] = {}
    contact_ids = set()
    for jid, jurisdiction in jurisdictions.items():
        where = (jurisdiction_files or {}).get(jid, f"knowledge/jurisdictions/{jid.lower()}.yml")
        region_ids = {r.id for r in jurisdiction.regions}
        for kind, entry in _entries(jurisdiction):
            if entry.id in seen or entry.id in topics:
                problems.append(f"{where}: entry '{entry.id}': id is used twice")
            seen[entry.id] = where
            if kind == "contacts":
                contact_ids.add(entry.id)
                for harm in entry.show_for:
                    if harm != "all" and harm not in harm_ids:
                        problems.append(f"{where}: entry '{entry.id}': field 'show_for': unknown harm '{harm}'")
            for region in getattr(entry, "regions", []):
                if region not in region_ids:
                    problems.append(
                        f"{where}: entry '{entry.id}': field 'regions': "
                        f"unknown region '{region}' (not in {jid}'s regions)"
                    )
            if kind == "offences":
                for harm in entry.harms:
                    if harm not in harm_ids:
                        problems.append(f"{where}: entry '{entry.id}': field 'harms': unknown harm '{harm}'")
        for region in jurisdiction.regions:
            if not region.id.startswith(jid + "-"):
                problems.append(f"{where}: region '{region.id}': field 'id': must start with '{jid}-'")
        if jurisdiction.escalation_topic and jurisdiction.escalation_topic not in topics:
            problems.append(f"{where}: field 'escalation_topic': unknown topic '{jurisdiction.escalation_topic}'")
    for jid, jurisdiction in jurisdictions.items():
        route = jurisdiction.harasser_here
        for ref in route.report_directly if route else []:
            if ref not in contact_ids:
                problems.append(
                    f"knowledge/jurisdictions/{jid.lower()}.yml: entry '{route.id}': "
                    f"field 'report_directly': unknown contact '{ref}'"
                )
    for harm in harms.harms:
        if harm.refines and harm.refines not in harm_ids:
            problems.append(f"knowledge/harms.yml: harm '{harm.id}': field 'refines': unknown harm '{harm.refines}'")
        for ref in harm.topics:
            if ref not in topics:
                problems.append(f"knowledge/harms.yml: harm '{harm.id}': field 'topics': unknown topic '{ref}'")
    known_places = set(jurisdictions) | {r.id for j in jurisdictions.values() for r in j.regions}
    for topic in topics.values():
        for place in list(topic.jurisdictions) + [p for pt in topic.points for p in pt.jurisdictions]:
            if place not in known_places:
                problems.append(f"knowledge/topics: entry '{topic.id}': field 'jurisdictions': unknown '{place}'")
    return problems


def _check_platforms(platforms: Dict[str, Platform], harms: HarmsFile, other_ids, where: str) -> List[str]:
    """Platform ids don't clash with other entries, aliases name one platform, route harms exist."""
    problems: List[str] = []
    harm_ids = {h.id for h in harms.harms}
    owner: Dict[str, str] = {}
    for platform in platforms.values():
        if platform.id in other_ids:
            problems.append(f"{where}: entry '{platform.id}': id is used twice")
        for name in {platform.id, platform.name.lower(), *platform.aliases}:
            if name in owner and owner[name] != platform.id:
                problems.append(
                    f"{where}: entry '{platform.id}': field 'aliases': " f"'{name}' also names '{owner[name]}'"
                )
            owner.setdefault(name, platform.id)
        for index, route in enumerate(platform.routes):
            for harm in route.harms:
                if harm != ALL_HARMS and harm not in harm_ids:
                    problems.append(
                        f"{where}: entry '{platform.id}': field 'routes[{index}].harms': " f"unknown harm '{harm}'"
                    )
    return problems


def load_languages_file(root: Path):
    """knowledge/languages.yml (bot/nlu/languages.py's reply sentences and interpreter routes),
    validated like the rest; raises KnowledgeError naming the file, entry and field."""
    from bot.knowledge.schema import LanguagesFile

    root = Path(root)
    path = root / "languages.yml"
    if not path.is_file():
        raise KnowledgeError([f"{_rel(path, root)}: file not found"])
    problems: List[str] = []
    parsed = _validate(LanguagesFile, _read_yaml(path, root), path, root, problems)
    if parsed is not None:
        codes = [e.code for e in parsed.languages]
        problems += [
            f"{_rel(path, root)}: language '{c}' is listed twice" for c in sorted(set(codes)) if codes.count(c) > 1
        ]
    if problems:
        raise KnowledgeError(problems)
    return parsed
