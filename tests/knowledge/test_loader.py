"""A broken knowledge base fails loudly at start-up, naming the file, the entry and the field."""

import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeBase, KnowledgeError
from tests.knowledge.fixtures import knowledge_with_ireland

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def problems(kdir: Path) -> str:
    with pytest.raises(KnowledgeError) as caught:
        KnowledgeBase(kdir)
    return str(caught.value)


def offence(data, section):
    return next(o for o in data["offences"] if o["section"] == section)


def test_the_real_knowledge_base_loads():
    kb = KnowledgeBase(KNOWLEDGE)
    assert set(kb.jurisdictions) == {"AU", "NZ", "US", "UK", "CA", "ZA"}


def test_missing_field_names_file_entry_and_field(kdir):
    edit(kdir / "jurisdictions/au.yml", lambda d: offence(d, "s 474.17C").pop("max_penalty"))
    message = problems(kdir)
    assert "jurisdictions/au.yml" in message
    assert "au-cth-474-17c" in message
    assert "max_penalty" in message
    assert "field required" in message


def test_misspelt_field_is_rejected_not_ignored(kdir):
    def typo(d):
        entry = offence(d, "s 474.15")
        entry["max_penalti"] = entry.pop("max_penalty")

    edit(kdir / "jurisdictions/au.yml", typo)
    message = problems(kdir)
    assert "au-cth-474-15" in message and "max_penalti" in message


def test_source_must_be_https(kdir):
    edit(kdir / "jurisdictions/nz.yml", lambda d: d["contacts"][0].__setitem__("sources", ["http://example.org/x"]))
    message = problems(kdir)
    assert "nz.yml" in message and "sources" in message and "https" in message


def test_entry_without_sources_is_rejected(kdir):
    edit(kdir / "topics/evidence.yml", lambda d: d["topics"][0].__setitem__("sources", []))
    message = problems(kdir)
    assert "topics/evidence.yml" in message and "sources" in message


def test_review_date_must_be_a_date(kdir):
    edit(kdir / "jurisdictions/us.yml", lambda d: d["contacts"][0].__setitem__("last_reviewed", "last spring"))
    message = problems(kdir)
    assert "us.yml" in message and "last_reviewed" in message


def test_contact_needs_a_way_to_reach_it(kdir):
    def unreachable(d):
        for key in ("phone", "url", "text"):
            d["contacts"][0].pop(key, None)

    edit(kdir / "jurisdictions/uk.yml", unreachable)
    message = problems(kdir)
    assert "uk.yml" in message and "phone, url or text" in message


def test_jurisdiction_needs_an_emergency_contact(kdir):
    edit(
        kdir / "jurisdictions/ca.yml",
        lambda d: d.__setitem__("contacts", [c for c in d["contacts"] if c["kind"] != "emergency"]),
    )
    message = problems(kdir)
    assert "ca.yml" in message and "emergency" in message


def test_unknown_contact_kind(kdir):
    edit(kdir / "jurisdictions/za.yml", lambda d: d["contacts"][0].__setitem__("kind", "hotline"))
    assert "kind" in problems(kdir)


def test_duplicate_ids_across_files(kdir):
    def clash(d):
        d["contacts"][0]["id"] = "au-000"

    edit(kdir / "jurisdictions/nz.yml", clash)
    message = problems(kdir)
    assert "au-000" in message and "used twice" in message


def test_offence_with_unknown_harm(kdir):
    edit(kdir / "jurisdictions/au.yml", lambda d: offence(d, "s 474.17").__setitem__("harms", ["rudeness"]))
    message = problems(kdir)
    assert "au-cth-474-17" in message and "unknown harm 'rudeness'" in message


def test_harm_pointing_to_missing_topic(kdir):
    edit(kdir / "harms.yml", lambda d: d["harms"][0].__setitem__("topics", ["no-such-topic"]))
    message = problems(kdir)
    assert "harms.yml" in message and "no-such-topic" in message


def test_region_id_must_belong_to_its_country(kdir):
    edit(kdir / "jurisdictions/au.yml", lambda d: d["regions"][0].__setitem__("id", "NZ-NSW"))
    message = problems(kdir)
    assert "NZ-NSW" in message and "must start with 'AU-'" in message


def test_recording_rule_must_be_one_or_all_party(kdir):
    edit(kdir / "jurisdictions/au.yml", lambda d: d["regions"][0]["recording"].__setitem__("consent", "two-party"))
    message = problems(kdir)
    assert "au.yml" in message and "consent" in message


def test_invalid_yaml_names_the_file(kdir):
    (kdir / "topics/platforms.yml").write_text("topics:\n  - id: [unclosed\n", encoding="utf-8")
    message = problems(kdir)
    assert "platforms.yml" in message and "not valid YAML" in message


def test_file_that_is_not_a_mapping(kdir):
    (kdir / "jurisdictions/za.yml").write_text("- just\n- a list\n", encoding="utf-8")
    message = problems(kdir)
    assert "za.yml" in message and "expected a mapping" in message


def test_file_that_is_not_utf8(kdir):
    (kdir / "topics/safety.yml").write_bytes(b"topics:\n  - id: caf\xe9\n")
    message = problems(kdir)
    assert "safety.yml" in message and "UTF-8" in message


def test_missing_harms_file(kdir):
    (kdir / "harms.yml").unlink()
    assert "harms.yml: file not found" in problems(kdir)


def test_missing_folder(tmp_path):
    assert "knowledge folder not found" in problems(tmp_path / "nowhere")


def test_every_problem_is_reported_at_once(kdir):
    edit(kdir / "jurisdictions/au.yml", lambda d: offence(d, "s 474.17C").pop("max_penalty"))
    edit(kdir / "jurisdictions/nz.yml", lambda d: d["contacts"][0].pop("when"))
    with pytest.raises(KnowledgeError) as caught:
        KnowledgeBase(kdir)
    assert len(caught.value.problems) >= 2


def test_adding_a_jurisdiction_is_data_only(tmp_path):
    """Ireland: one YAML file, no code. It resolves, has numbers, and routes."""
    kb = knowledge_with_ireland(tmp_path)
    assert kb.places.resolve("Dublin") == "IE"
    assert [c.phone for c in kb.emergency("IE")] == ["112"]
    assert kb.places.find("I'm in Cork and he's in Canada")[1].place == "CA"


# -- the newer kinds of entry: audiences, regions, platforms ------------------------------------


def _platforms(kdir: Path, change=None) -> None:
    data = {
        "platforms": [
            {
                "id": "testgram",
                "name": "Testgram",
                "aliases": ["tg"],
                "sources": ["https://help.testgram.example.org/policy"],
                "last_reviewed": "2026-11-30",
                "routes": [
                    {
                        "harms": ["harassment"],
                        "title": "Report harassment",
                        "url": "https://help.testgram.example.org/harassment",
                    }
                ],
            }
        ]
    }
    if change:
        change(data)
    (kdir / "platforms.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_contact_region_must_exist_in_its_country(kdir):
    edit(kdir / "jurisdictions/au.yml", lambda d: d["contacts"][0].__setitem__("regions", ["AU-XYZ"]))
    message = problems(kdir)
    assert "au.yml" in message and "au-000" in message and "regions" in message and "AU-XYZ" in message


def test_contact_region_of_another_country_is_rejected(kdir):
    edit(kdir / "jurisdictions/nz.yml", lambda d: d["contacts"][0].__setitem__("regions", ["AU-VIC"]))
    message = problems(kdir)
    assert "nz.yml" in message and "nz-111" in message and "unknown region 'AU-VIC'" in message


def test_contact_region_must_look_like_a_region(kdir):
    edit(kdir / "jurisdictions/au.yml", lambda d: d["contacts"][0].__setitem__("regions", ["victoria"]))
    message = problems(kdir)
    assert "au-000" in message and "regions" in message and "AU-VIC" in message


def test_contact_audience_must_be_known(kdir):
    edit(kdir / "jurisdictions/us.yml", lambda d: d["contacts"][0].__setitem__("audience", "teens"))
    message = problems(kdir)
    assert "us.yml" in message and "us-911" in message and "audience" in message


def test_platform_route_with_unknown_harm(kdir):
    _platforms(kdir, lambda d: d["platforms"][0]["routes"][0].__setitem__("harms", ["rudeness"]))
    message = problems(kdir)
    assert "platforms.yml" in message and "testgram" in message and "routes[0].harms" in message
    assert "unknown harm 'rudeness'" in message


def test_platform_route_url_must_be_https(kdir):
    _platforms(kdir, lambda d: d["platforms"][0]["routes"][0].__setitem__("url", "http://x.example.org/a"))
    message = problems(kdir)
    assert "platforms.yml" in message and "testgram" in message and "url" in message and "https" in message


def test_platform_needs_routes_and_sources(kdir):
    def strip(d):
        d["platforms"][0].pop("sources")
        d["platforms"][0]["routes"] = []

    _platforms(kdir, strip)
    message = problems(kdir)
    assert "testgram" in message and "sources" in message and "routes" in message


def test_platform_aliases_are_lower_case(kdir):
    _platforms(kdir, lambda d: d["platforms"][0].__setitem__("aliases", ["TG"]))
    message = problems(kdir)
    assert "platforms.yml" in message and "aliases" in message and "lower case" in message


def test_platform_alias_naming_two_platforms(kdir):
    def twin(d):
        other = yaml.safe_load(yaml.safe_dump(d["platforms"][0]))
        other.update(id="othergram", name="Othergram")
        d["platforms"].append(other)

    _platforms(kdir, twin)
    message = problems(kdir)
    assert "othergram" in message and "'tg' also names 'testgram'" in message


def test_platform_id_used_twice(kdir):
    _platforms(kdir, lambda d: d["platforms"].append(yaml.safe_load(yaml.safe_dump(d["platforms"][0]))))
    message = problems(kdir)
    assert "platforms.yml" in message and "'testgram': id is used twice" in message


def test_platform_id_clashing_with_another_entry(kdir):
    _platforms(kdir, lambda d: d["platforms"][0].__setitem__("id", "au-000"))
    message = problems(kdir)
    assert "platforms.yml" in message and "au-000" in message and "used twice" in message


def test_platform_unknown_field_is_rejected(kdir):
    _platforms(kdir, lambda d: d["platforms"][0]["routes"][0].__setitem__("steps", "tap report"))
    message = problems(kdir)
    assert "platforms.yml" in message and "testgram" in message and "steps" in message


def test_platforms_file_is_optional(kdir):
    (kdir / "platforms.yml").unlink(missing_ok=True)
    assert KnowledgeBase(kdir).platforms == {}
