"""The queries the chat code builds on: contacts by audience and region, platforms, staleness.

These run on a copy of the real knowledge base with small, made-up additions, so they test
the query rules themselves; tests/knowledge/test_facts.py checks the real facts.
"""

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeBase

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
DAY = "2026-11-30"


def contact(cid, kind, **extra):
    base = {
        "id": cid,
        "name": cid.upper(),
        "kind": kind,
        "url": f"https://example.org/{cid}",
        "when": "Test.",
        "sources": [f"https://example.org/{cid}/page"],
        "last_reviewed": DAY,
    }
    base.update(extra)
    return base


PLATFORMS = {
    "platforms": [
        {
            "id": "testgram",
            "name": "Testgram",
            "aliases": ["tg", "insta-test"],
            "sources": ["https://help.testgram.example.org/policy"],
            "last_reviewed": DAY,
            "routes": [
                {
                    "harms": ["harassment"],
                    "title": "Report harassment on Testgram",
                    "url": "https://help.testgram.example.org/harassment",
                    "how": "Tap ..., then Report.",
                },
                {
                    "harms": ["image_abuse", "sextortion"],
                    "title": "Report intimate images on Testgram",
                    "url": "https://help.testgram.example.org/intimate",
                },
                {
                    "harms": ["all"],
                    "title": "Report something on Testgram",
                    "url": "https://help.testgram.example.org/report",
                    "last_reviewed": "2026-01-01",
                    "sources": ["https://help.testgram.example.org/report-page"],
                },
            ],
        },
        {
            "id": "nofallback",
            "name": "No Fallback",
            "sources": ["https://nofallback.example.org/help"],
            "last_reviewed": DAY,
            "routes": [
                {
                    "harms": ["impersonation"],
                    "title": "Report impersonation",
                    "url": "https://nofallback.example.org/imp",
                }
            ],
        },
    ]
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> KnowledgeBase:
    target = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    au = target / "jurisdictions/au.yml"
    data = yaml.safe_load(au.read_text(encoding="utf-8"))
    data["contacts"] += [
        contact("t-vic-oversight", "oversight", regions=["AU-VIC"]),
        contact("t-nsw-oversight", "oversight", regions=["AU-NSW"]),
        contact("t-national-oversight", "oversight"),
        contact("t-minors-report", "report", audience="minors"),
        contact("t-adults-report", "report", audience="adults"),
        contact("t-youth", "youth", phone="1800 000 000"),
    ]
    au.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (target / "platforms.yml").write_text(yaml.safe_dump(PLATFORMS, sort_keys=False), encoding="utf-8")
    return KnowledgeBase(target)


def ids(contacts):
    """The made-up contacts only (the real knowledge base has its own oversight and youth contacts)."""
    return [c.id for c in contacts if c.id.startswith("t-")]


# -- contacts: regions ---------------------------------------------------------------------


def test_region_contact_shows_for_its_region_only(kb):
    assert ids(kb.contacts("AU-VIC", ("oversight",))) == ["t-vic-oversight", "t-national-oversight"]
    assert ids(kb.contacts("AU-NSW", ("oversight",))) == ["t-nsw-oversight", "t-national-oversight"]
    assert ids(kb.contacts("AU-QLD", ("oversight",))) == ["t-national-oversight"]


def test_whole_country_gets_only_whole_country_contacts(kb):
    assert ids(kb.contacts("AU", ("oversight",))) == ["t-national-oversight"]


def test_all_regions_lists_every_state_contact(kb):
    assert set(ids(kb.oversight("AU", all_regions=True))) == {
        "t-vic-oversight",
        "t-nsw-oversight",
        "t-national-oversight",
    }


def test_region_filter_does_not_hide_country_contacts_from_a_state(kb):
    assert ids(kb.emergency("AU-VIC")) == ids(kb.emergency("AU"))


# -- contacts: audience ----------------------------------------------------------------------


def test_audience_none_returns_every_route(kb):
    found = ids(kb.contacts("AU", ("report",)))
    assert "t-minors-report" in found and "t-adults-report" in found


def test_audience_minors_returns_all_plus_minors(kb):
    found = ids(kb.contacts("AU", ("report",), audience="minors"))
    assert "t-minors-report" in found and "t-adults-report" not in found
    assert "au-reportcyber" in [c.id for c in kb.contacts("AU", ("report",), audience="minors")]  # "all"


def test_audience_adults_returns_all_plus_adults(kb):
    found = ids(kb.contacts("AU", ("report",), audience="adults"))
    assert "t-adults-report" in found and "t-minors-report" not in found
    assert "au-reportcyber" in [c.id for c in kb.contacts("AU", ("report",), audience="adults")]


def test_youth_kind(kb):
    assert ids(kb.youth("AU-WA")) == ["t-youth"]
    assert "t-youth" not in ids(kb.reporting("AU")) and "t-youth" not in ids(kb.crisis("AU"))
    assert all(c.kind == "youth" for c in kb.youth("AU"))


def test_unknown_place_has_no_contacts(kb):
    assert kb.contacts("unknown", ("oversight",)) == [] and kb.contacts(None, ("youth",), "minors") == []


# -- platforms ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["testgram", "Testgram", "TG", " tg ", "@testgram", "insta-test"])
def test_platform_by_name_or_alias(kb, name):
    assert kb.platform(name).id == "testgram"


@pytest.mark.parametrize("name", ["", None, "myspace", "gram"])
def test_unknown_platform_is_none(kb, name):
    assert kb.platform(name) is None


def test_platform_route_for_the_harm(kb):
    assert kb.platform_route("testgram", "harassment").url.endswith("/harassment")
    assert kb.platform_route("testgram", "image_abuse").url.endswith("/intimate")


def test_platform_route_falls_back_through_refines(kb):
    # stalking refines harassment; incitement_self_harm refines harassment
    assert kb.harms["stalking"].refines == "harassment"
    assert kb.platform_route("testgram", "stalking").url.endswith("/harassment")
    assert kb.platform_route("testgram", "incitement_self_harm").url.endswith("/harassment")


def test_platform_route_narrow_harm_first(kb):
    # sextortion has its own route (the intimate-images one), ahead of extortion's fallback
    assert kb.platform_route("testgram", "sextortion").url.endswith("/intimate")


def test_platform_route_falls_back_to_the_general_route(kb):
    assert kb.platform_route("testgram", "doxxing").url.endswith("/report")
    assert kb.platform_route("testgram", "no-such-harm").url.endswith("/report")


def test_platform_route_by_alias_and_none_without_fallback(kb):
    assert kb.platform_route("tg", "harassment").title == "Report harassment on Testgram"
    assert kb.platform_route("nofallback", "harassment") is None
    assert kb.platform_route("nofallback", "impersonation").url.endswith("/imp")
    assert kb.platform_route("myspace", "harassment") is None


def test_route_sources_default_to_the_platform(kb):
    platform = kb.platform("testgram")
    harassment = kb.platform_route("testgram", "harassment")
    general = kb.platform_route("testgram", "doxxing")
    assert kb.route_sources(platform, harassment) == ["https://help.testgram.example.org/policy"]
    assert kb.route_sources(platform, general) == ["https://help.testgram.example.org/report-page"]


# -- staleness ------------------------------------------------------------------------------------


def test_stale_groups_by_file_and_uses_the_oldest_route_date(kb):
    due = kb.stale(30, today=dt.date(2026, 12, 1))
    assert "knowledge/platforms.yml" in due
    assert [e.id for e in due["knowledge/platforms.yml"]] == ["testgram"]  # its general route: 2026-01-01
    assert all(path.startswith("knowledge/") for path in due)


def test_stale_nothing_due_when_everything_is_recent(kb):
    assert kb.stale(10_000, today=dt.date(2026, 12, 1)) == {}


def test_reporting_without_an_audience_leaves_out_audience_specific_routes(kb):
    # Nothing asked about age: no CEOP-style or StopNCII-style route is offered.
    found = ids(kb.reporting("AU"))
    assert "t-minors-report" not in found and "t-adults-report" not in found
    assert "t-minors-report" in ids(kb.reporting("AU", audience="minors"))
    assert "t-adults-report" in ids(kb.reporting("AU", audience="adults"))
    # kb.contacts with no audience still returns everything (the volunteer's full list)
    assert {"t-minors-report", "t-adults-report"} <= set(ids(kb.contacts("AU", ("report",))))
