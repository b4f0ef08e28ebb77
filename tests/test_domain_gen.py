"""domain.yml's emergency and crisis responses are generated from knowledge/ and must agree with it."""

import shutil
from pathlib import Path

import yaml

from bot import domain_gen
from bot.knowledge import KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parents[1]


def responses():
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def test_generated_block_is_up_to_date():
    assert domain_gen.main(["--check"]) == 0


def test_each_country_variation_carries_its_own_numbers():
    kb = load_knowledge()
    for name, kind in (("utter_emergency", "emergency"), ("utter_crisis", "crisis")):
        variations = responses()[name]
        for jurisdiction in kb.covered():
            variation = next(v for v in variations if v.get("condition", [{}])[0].get("value") == jurisdiction.id)
            first = next(c for c in jurisdiction.contacts if c.kind == kind)
            assert first.phone in variation["text"], (name, jurisdiction.id)
        default = next(v for v in variations if "condition" not in v)
        for jurisdiction in kb.covered():
            assert jurisdiction.name in default["text"]


def test_the_check_catches_a_changed_number(tmp_path, monkeypatch):
    kdir = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kdir)
    au = kdir / "jurisdictions" / "au.yml"
    au.write_text(au.read_text(encoding="utf-8").replace('phone: "000"', 'phone: "0000"'), encoding="utf-8")
    changed = KnowledgeBase(kdir)
    monkeypatch.setattr(domain_gen, "load_knowledge", lambda: changed)
    assert domain_gen.main(["--check"]) == 1


def test_action_failure_reply_carries_every_emergency_number():
    text = responses()["utter_action_failed"][0]["text"]
    for jurisdiction in load_knowledge().covered():
        number = next(c.phone for c in jurisdiction.contacts if c.kind == "emergency")
        assert number in text


def test_button_payloads_survive_rasas_interpolation():
    """Rasa fills {slot} placeholders in responses: an entity payload must double its braces, or
    every such reply logs an interpolation error (and a slot of that name would be filled in)."""
    import json

    from rasa.core.nlg.interpolator import interpolate_text
    from rasa.shared.core.domain import Domain

    payloads = [
        button["payload"]
        for variations in Domain.load(str(ROOT / "domain.yml")).responses.values()
        for variation in variations
        for button in variation.get("buttons") or []
    ]
    with_entities = [p for p in payloads if "{" in p]
    assert with_entities
    for payload in with_entities:
        assert "{{" in payload, payload
        sent = interpolate_text(payload, {"victim_country": "AU"})
        assert json.loads(sent[sent.index("{") :]), sent
