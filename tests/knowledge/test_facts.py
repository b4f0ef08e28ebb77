"""Every fact a person might act on, pinned to the seed documents.

The expected values below are copied from the seed documents in ../shared/seeds (beside the repository),
NOT from knowledge/*.yml:

* seed 001: the Australian online-harassment reporting guide ("FalseOS"),
* seed 002: Netsafe's help page and FAQ (New Zealand),
* seed 000: WiredSafety's help-centre rules.

A few numbers people need are not in any seed (crisis lines, most emergency
numbers outside Australia and New Zealand, penalties of non-Australian offences).
Those are marked "not in the seeds" and pinned to the official service or statute.

If one of these tests fails, the knowledge base disagrees with its source: fix the
YAML (after checking the source), never the expectation.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, List, Optional

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.schema import Contact, Entry, Offence, Topic

TODAY = dt.date.today()
MAX_AGE = dt.timedelta(days=2 * 366)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


# -- helpers ------------------------------------------------------------------------------


def digits(text: Optional[str]) -> str:
    return re.sub(r"\D", "", text or "")


def contact_text(contact: Contact) -> str:
    parts = [contact.name, contact.phone or "", contact.text or "", contact.url or "", contact.when]
    return " ".join(parts + contact.does + contact.does_not + contact.how)


def has(pattern: str, texts: Iterable[str]) -> bool:
    """True if the regex (case-insensitive, any whitespace between words) is found in one of texts."""
    regex = re.compile(pattern.replace(" ", r"\s+"), re.IGNORECASE)
    return any(regex.search(t or "") for t in texts)


def all_contacts(kb, place: str) -> List[Contact]:
    return list(kb.jurisdiction(place).contacts)


def by_phone(kb, place: str, number: str, kinds: Optional[Iterable[str]] = None) -> List[Contact]:
    contacts = all_contacts(kb, place) if kinds is None else kb.contacts(place, tuple(kinds))
    return [c for c in contacts if digits(c.phone) == digits(number)]


def by_url(kb, place: str, fragment: str) -> Contact:
    found = [c for c in all_contacts(kb, place) if c.url and fragment in c.url]
    assert len(found) == 1, f"expected one {place} contact with a url containing {fragment!r}, got {found}"
    return found[0]


def one_offence(kb, section: str, place: str) -> Offence:
    found = kb.offence(section, place)
    assert len(found) == 1, f"expected exactly one offence {section} in {place}, got {[o.id for o in found]}"
    return found[0]


def years(text: str) -> set:
    """The numbers of years in a penalty: "Threat to kill: 10 years; ... 7 years" -> {10, 7}."""
    return {int(n) for n in re.findall(r"(\d+)\s*years?", text)}


def topic_texts(topic: Topic) -> List[str]:
    return [topic.title, topic.summary] + [p.text for p in topic.points]


def get_topic(kb, topic_id: str) -> Topic:
    topic = kb.topic(topic_id)
    assert topic is not None, f"topic {topic_id!r} is missing"
    return topic


# =========================================================================================
# Emergency and crisis lines
# =========================================================================================

# Seed 001: "000 (Triple Zero) ... TTY 106 ... 112 also routes to emergency from mobile and
# satellite phones". Seed 002: "call 111". Seed 000: "emergency 911, 999". The rest: not in
# the seeds (official emergency numbers of each country).
EMERGENCY = {
    "AU": {"000", "112", "106"},
    "NZ": {"111"},
    "US": {"911"},
    "UK": {"999", "112"},
    "CA": {"911"},
    "ZA": {"10111", "112"},
}


@pytest.mark.parametrize("place,number", [(p, n) for p, ns in EMERGENCY.items() for n in sorted(ns)])
def test_emergency_number_is_listed(kb, place, number):
    assert by_phone(kb, place, number, kinds=["emergency"]), f"{number} missing from {place} emergency contacts"


@pytest.mark.parametrize("place", sorted(EMERGENCY))
def test_no_unexpected_emergency_number(kb, place):
    """A wrong emergency number is the worst possible error: the list must be exactly this."""
    listed = {digits(c.phone) for c in kb.emergency(place)}
    assert listed == EMERGENCY[place]


def test_au_000_is_for_immediate_danger_and_points_to_131444_otherwise(kb):
    (triple_zero,) = by_phone(kb, "AU", "000", kinds=["emergency"])
    assert has(r"immediate danger", [triple_zero.when])
    assert has(r"131 ?444", triple_zero.does_not)


def test_au_112_redirects_to_000_with_no_priority(kb):
    # Seed 001: "112 also routes to emergency from mobile and satellite phones (it redirects
    # to 000 with no call priority)".
    (c112,) = by_phone(kb, "AU", "112", kinds=["emergency"])
    text = contact_text(c112)
    assert has(r"mobile", [text]) and has(r"satellite", [text])
    assert has(r"redirects to 000", [text])
    assert has(r"(no|not give your call any) priority", [text])


def test_au_106_is_the_tty_service_via_the_national_relay_service(kb):
    # Seed 001: "TTY 106 is the text-based emergency service via the National Relay Service
    # for people with hearing or speech impairment".
    (c106,) = by_phone(kb, "AU", "106", kinds=["emergency"])
    text = contact_text(c106)
    assert "TTY" in text
    assert has(r"National Relay Service", [text])
    assert has(r"hearing or speech", [text])


def test_au_national_relay_service_is_133_677(kb):
    # Seed 001: "National Relay Service 133 677 for hearing/speech".
    relay = by_phone(kb, "AU", "133 677")
    assert relay, "no AU contact with phone 133 677"
    assert any(has(r"relay", [c.name]) for c in relay)


def test_au_esafety_interpreter_line_is_131_450(kb):
    # Seed 001: "interpreter line 131 450".
    esafety = by_url(kb, "AU", "esafety.gov.au")
    assert has(r"interpreter", esafety.how) and has(r"131 ?450", esafety.how)


# Not in the seeds: the national crisis lines, pinned to the services' own sites.
CRISIS = [
    ("AU", "13 11 14", r"Lifeline"),
    ("NZ", "1737", r"1737"),
    ("US", "988", r"988"),
    ("UK", "116 123", r"Samaritans"),
    ("CA", "988", r"9-?8-?8"),
    ("ZA", "0800 567 567", r"SADAG"),
]


@pytest.mark.parametrize("place,number,name", CRISIS, ids=[c[0] for c in CRISIS])
def test_crisis_line(kb, place, number, name):
    found = by_phone(kb, place, number, kinds=["crisis"])
    assert found, f"{number} missing from {place} crisis contacts"
    assert any(re.search(name, c.name) for c in found)


@pytest.mark.parametrize("place", sorted(EMERGENCY))
def test_every_country_has_a_crisis_line_with_a_phone(kb, place):
    assert [c for c in kb.crisis(place) if c.phone]


# =========================================================================================
# Police non-emergency lines and support services
# =========================================================================================


def test_au_police_assistance_line_131_444(kb):
    # Seed 001: "Police Assistance Line (national non-emergency phone) ... 131 444 (24/7)".
    found = by_phone(kb, "AU", "131 444", kinds=["police"])
    assert found, "131 444 missing from AU police contacts"
    pal = found[0]
    assert has(r"Police Assistance Line", [pal.name])
    assert has(r"24/7", [contact_text(pal)])
    assert has(r"not for emergencies", pal.does_not) and has(r"000", pal.does_not)


def police_assistance_line(kb) -> Contact:
    found = [c for c in kb.contacts("AU", ("police",)) if re.search(r"Police Assistance Line", c.name)]
    assert len(found) == 1
    return found[0]


def test_au_police_assistance_line_scope_varies_victoria_and_queensland(kb):
    # Seed 001: "intake scope varies by state/territory; Victoria and Queensland route many
    # non-urgent reports differently".
    pal = police_assistance_line(kb)
    assert has(r"Victoria and Queensland", pal.does_not)


def test_au_police_assistance_line_gives_a_reference_number(kb):
    pal = police_assistance_line(kb)
    assert has(r"(event|reference) ?/?(reference )?number", pal.does + pal.how)


def test_nz_police_non_emergency_105(kb):
    # Seed 001: "NZ Police can also be reported to directly via 105 (https://105.police.govt.nz)".
    found = by_phone(kb, "NZ", "105", kinds=["police"])
    assert found, "105 missing from NZ police contacts"
    assert found[0].url and "105.police.govt.nz" in found[0].url


def test_nz_netsafe_phone_0508_638_723(kb):
    # Seed 002: "call us toll-free on 0508 NETSAFE (0508 638 723)".
    found = by_phone(kb, "NZ", "0508 638 723")
    assert found and has(r"Netsafe", [found[0].name])
    assert has(r"0508 NETSAFE", [contact_text(found[0])])


def test_nz_netsafe_text_netsafe_to_4282(kb):
    # Seed 002: "text 'Netsafe' to 4282".
    netsafe = by_url(kb, "NZ", "netsafe.org.nz")
    assert netsafe.text and has(r"Netsafe.{0,3} to 4282", [netsafe.text])


def test_nz_netsafe_is_the_hdca_approved_agency(kb):
    netsafe = by_url(kb, "NZ", "netsafe.org.nz")
    assert has(r"Approved Agency", netsafe.does)
    assert has(r"Harmful Digital Communications Act", netsafe.does)


# =========================================================================================
# Reporting bodies and what they do NOT do
# =========================================================================================


@pytest.fixture(scope="module")
def reportcyber(kb):
    return by_url(kb, "AU", "cyber.gov.au/report-and-recover/report")


def test_reportcyber_is_intake_and_referral_not_an_investigator(reportcyber):
    # Seed 001: "INTAKE and REFERRAL, not investigation" / "not an investigator".
    assert has(r"intake and referral", reportcyber.does_not)
    assert has(r"not an investigator", reportcyber.does_not)


def test_reportcyber_is_not_a_formal_police_statement(reportcyber):
    # Seed 001: "submitting it is NOT the same as making a formal police statement".
    assert has(r"NOT the same as (giving|making) a formal police statement", reportcyber.does_not)


def test_reportcyber_issues_a_reference_number_and_routes_to_police(reportcyber):
    assert has(r"reference number", reportcyber.does)
    assert has(r"state, territory or federal police", reportcyber.does)


def test_reportcyber_not_every_report_is_investigated(reportcyber):
    assert has(r"Not every report is investigated", reportcyber.does_not)


def test_reportcyber_reported_online_no_hotline(reportcyber):
    # Seed 001: "No public reporting hotline; report online."
    assert has(r"no public reporting hotline", reportcyber.does_not)
    assert reportcyber.phone is None


def test_acsc_hotline_1300_292_371_is_not_for_personal_harassment(kb, reportcyber):
    # Seed 001: "The ASD/ACSC 24/7 Cyber Security Hotline 1300 292 371 is for cyber security
    # incidents (mainly organisations), not personal-harassment intake."
    line = [t for t in reportcyber.does_not if "1300 292 371" in t]
    assert line, "the 1300 292 371 caveat is missing"
    assert has(r"not (for )?(reporting )?personal.harassment", line)
    # ...so it must never be offered to a person as a number to call.
    assert not by_phone(kb, "AU", "1300 292 371")


@pytest.fixture(scope="module")
def esafety(kb):
    return by_url(kb, "AU", "esafety.gov.au")


def test_esafety_is_a_civil_regulator_not_a_prosecutor(esafety):
    # Seed 001: "CIVIL takedown/removal regulator, NOT a criminal prosecutor ... does not
    # prosecute, award damages, or replace police."
    assert esafety.kind == "regulator"
    assert has(r"CIVIL", esafety.does)
    assert has(r"NOT a criminal prosecutor", esafety.does_not)
    assert has(r"does not prosecute, award damages, or replace police", esafety.does_not)


def test_esafety_online_safety_act_2021(esafety):
    assert has(r"Online Safety Act 2021", esafety.does)


def test_esafety_penalties_500_units_for_individuals_five_times_for_companies(esafety):
    # Seed 001 says "civil penalties of up to 500 penalty units"; that is the individual maximum
    # (fact-check W7): a body corporate faces five times that. Fails on the seed's bare "up to 500".
    penalties = [t for t in esafety.does if re.search(r"penalt", t, re.I)]
    assert has(r"500 penalty units for an individual", penalties)
    assert has(r"(company|body corporate).{0,40}five times", penalties)
    assert not has(r"penalties of up to 500 penalty units\.?$", penalties)


def test_esafety_platform_first_only_for_cyberbullying_and_adult_cyber_abuse(esafety):
    # eSafety: "You do not have to report image-based abuse to an online platform or service
    # before making a report to eSafety" (fact-check W1). Platform-first applies to cyberbullying
    # and adult cyber abuse. The old step "First report the content to the platform" with no
    # qualifier fails here.
    texts = esafety.does_not + esafety.how
    assert has(r"(Adult cyber abuse or cyberbullying|cyberbullying and adult cyber abuse).{0,80}platform", texts)
    assert has(r"do not have to report to the platform first", esafety.how)
    assert not any(re.match(r"First report the content to the platform", t) for t in esafety.how)
    assert not has(r"For most schemes", esafety.does_not)


def test_esafety_adult_threshold_is_high_and_needs_serious_harm(esafety):
    # Seed 001: "For ADULT cyber abuse the threshold is deliberately HIGH ... likely intended
    # to cause SERIOUS HARM".
    threshold = [t for t in esafety.does_not if re.search(r"threshold", t, re.I)]
    assert threshold
    assert has(r"HIGH", threshold) and has(r"intended to cause serious harm", threshold)


def test_esafety_schemes(esafety):
    for scheme in (
        "Adult Cyber Abuse Scheme",
        "Cyberbullying Scheme",
        "Image-Based Abuse Scheme",
        "Online Content Scheme",
    ):
        assert has(scheme, esafety.does), scheme


def test_afp_hosts_interpol_ncb_canberra(kb):
    # Seed 001: "hosts the INTERPOL National Central Bureau (NCB) Canberra".
    afp = by_url(kb, "AU", "afp.gov.au")
    assert has(r"INTERPOL National Central Bureau \(NCB\) Canberra", afp.does)
    assert has(r"STATE", afp.does_not), "most harassment cases go to state police, not the AFP"


@pytest.fixture(scope="module")
def netsafe(kb):
    return by_url(kb, "NZ", "netsafe.org.nz")


def test_netsafe_is_not_an_enforcement_agency(netsafe):
    # Seed 002: "We are not an enforcement agency".
    assert has(r"not an enforcement agency", netsafe.does_not)


def test_netsafe_cannot_trace_fake_accounts(netsafe):
    # Seed 002: "we cannot trace who is behind fake accounts".
    assert has(r"cannot trace who is behind fake accounts", netsafe.does_not)
    assert has(r"no investigative powers", netsafe.does_not)


def test_netsafe_never_contacts_the_harasser_without_permission(netsafe):
    # Seed 002: "We will never contact the person you believe has been harassing you without
    # your permission."
    assert has(r"never contact the person you believe .{0,30}harass\w* you without your permission", netsafe.does_not)


def test_netsafe_helps_visitors_and_when_harasser_is_overseas(netsafe):
    # Seed 002: "Anyone that is in New Zealand can contact Netsafe" and "can assist with
    # complaints if one of the parties involved is based in New Zealand".
    assert has(r"Anyone in New Zealand", [netsafe.when])
    assert has(r"overseas", [netsafe.when]) and has(r"based in New Zealand", [netsafe.when])


def test_netsafe_acts_for_someone_else_only_with_their_agreement(netsafe):
    assert has(r"cannot take action unless the person affected agrees", netsafe.does_not)


@pytest.fixture(scope="module")
def wiredsafety(kb):
    return by_url(kb, "US", "wiredsafety")


def test_wiredsafety_is_not_a_replacement_for_911_or_999(wiredsafety):
    # Seed 000: "not intended to replace law enforcement or emergency 911, 999".
    assert has(r"not a replacement for 911, 999", wiredsafety.does_not)
    assert has(r"not a link to police", wiredsafety.does_not)


def test_wiredsafety_requires_police_first_where_offline_risk(wiredsafety):
    # Seed 000: "requires that all cybercrimes are first reported to police and when offline
    # threats or risks of offline harm ... that local law enforcement be notified before we
    # can offer assistance".
    assert has(r"first been reported to police", wiredsafety.does_not)
    assert has(r"offline threats", wiredsafety.does_not)
    assert has(r"police first", wiredsafety.how)


def test_wiredsafety_does_not_handle_missing_children(wiredsafety):
    assert has(r"does not handle missing children", wiredsafety.does_not)


def test_wiredsafety_will_not_forward_police_reports(wiredsafety):
    # Seed 000: "We will not forward police reports for you."
    assert has(r"will not forward police reports", wiredsafety.does_not)


def test_ncmec_is_1_800_the_lost(kb):
    # Seed 000: "National Center for Missing and Exploited Children (1-800-thelost ...)".
    # 1-800-THE-LOST on a keypad is 1-800-843-5678.
    found = by_phone(kb, "US", "1-800-843-5678")
    assert found, "NCMEC 1-800-843-5678 missing"
    ncmec = found[0]
    assert has(r"Missing (&|and) Exploited Children", [contact_text(ncmec)])
    assert has(r"1-800-THE-LOST", [contact_text(ncmec)])


def test_ic3_accepts_international_complaints(kb):
    # Seed 001: "IC3 accepts international complaints" / "citizens of another country or who
    # may be reporting a subject in another country".
    ic3 = by_url(kb, "US", "ic3.gov")
    assert has(r"other countr", ic3.does)
    assert has(r"subject in another country", ic3.does)


def test_ic3_does_not_itself_investigate(kb):
    # Seed 001: "IC3 itself does not investigate".
    ic3 = by_url(kb, "US", "ic3.gov")
    assert has(r"IC3 itself does not investigate", ic3.does_not)


def test_fbi_tips_url(kb):
    # Seed 001: "the FBI tip line (https://tips.fbi.gov)".
    tips = by_url(kb, "US", "tips.fbi.gov")
    assert tips.url.startswith("https://tips.fbi.gov")


# =========================================================================================
# The six Commonwealth offences (seed 001, "The offences in Australia")
# =========================================================================================

CTH = "Criminal Code Act 1995 (Cth)"
AU_OFFENCES = [
    # section, the years the maximum penalty names (and nothing else)
    ("s 474.17", {5}),
    ("s 474.15", {10, 7}),
    ("s 474.17A", {6}),
    ("s 474.17C", {6}),
    ("s 474.17D", {7}),
    ("s 372.1", {5}),
]


@pytest.mark.parametrize("section,penalty_years", AU_OFFENCES, ids=[s for s, _ in AU_OFFENCES])
def test_au_offence_max_penalty(kb, section, penalty_years):
    offence = one_offence(kb, section, "AU")
    assert years(offence.max_penalty) == penalty_years
    assert has(r"imprisonment", [offence.max_penalty])


@pytest.mark.parametrize("section", [s for s, _ in AU_OFFENCES])
def test_au_offence_is_in_the_commonwealth_criminal_code(kb, section):
    offence = one_offence(kb, section, "AU")
    assert offence.law == CTH
    assert offence.section == section


@pytest.mark.parametrize("section", [s for s, _ in AU_OFFENCES])
def test_au_offence_has_elements_and_official_sources(kb, section):
    offence = one_offence(kb, section, "AU")
    assert len(offence.elements) >= 2
    assert offence.sources and all(u.startswith("https://") for u in offence.sources)


@pytest.mark.parametrize("section", [s for s, _ in AU_OFFENCES])
def test_au_offence_is_commonwealth_indictable(kb, section):
    # Seed 001: every one is "criminal (Commonwealth, indictable)".
    offence = one_offence(kb, section, "AU")
    assert has(r"Commonwealth, indictable", offence.notes)


def test_474_17_penalty_raised_from_3_to_5_years_effective_23_january_2022(kb):
    # Seed 001 says "effective 24 Jan 2022"; the amending Act commenced with the Online Safety Act
    # 2021 on 23 January 2022 (fact-check W2). Fails on the seed's 24 January.
    offence = one_offence(kb, "s 474.17", "AU")
    assert offence.commenced
    assert has(r"from 3 to 5 years", [offence.commenced])
    assert has(r"23 Jan(uary)? 2022", [offence.commenced])
    assert not has(r"24 Jan(uary)? 2022", [offence.commenced])


def test_474_17_elements_reasonable_persons_menacing_harassing_offensive(kb):
    offence = one_offence(kb, "s 474.17", "AU")
    assert has(r"carriage service", offence.elements)
    assert has(r"REASONABLE PERSONS", offence.elements)
    assert has(r"menacing, harassing or offensive", offence.elements)
    assert has(r"objective standard", offence.elements)


def test_474_15_threat_to_kill_10_years_serious_harm_7_years(kb):
    # Seed 001: "Threat to kill: 10 years imprisonment; threat to cause serious harm: 7 years".
    offence = one_offence(kb, "s 474.15", "AU")
    assert has(r"threat to kill:? 10 years", [offence.max_penalty])
    assert has(r"serious harm:? 7 years", [offence.max_penalty])


def test_474_15_fear_need_not_be_proved(kb):
    # Seed 001: "It is NOT necessary to prove the victim actually feared it (s 474.15(3))."
    offence = one_offence(kb, "s 474.15", "AU")
    assert has(r"INTENDED the recipient to fear", offence.elements)
    assert has(r"NOT necessary to prove the victim actually feared", offence.elements)
    assert has(r"474\.15\(3\)", offence.elements)


def test_474_15_subsections(kb):
    offence = one_offence(kb, "s 474.15", "AU")
    assert has(r"kill \(s 474\.15\(1\)\)", [offence.covers])
    assert has(r"serious harm \(s 474\.15\(2\)\)", [offence.covers])


def test_474_17a_commenced_3_september_2024_deepfake_act(kb):
    # Seed 001: "Commenced 3 Sep 2024 via the Criminal Code Amendment (Deepfake Sexual
    # Material) Act 2024."
    offence = one_offence(kb, "s 474.17A", "AU")
    assert offence.commenced and has(r"3 Sep(tember)? 2024", [offence.commenced])
    assert has(r"Criminal Code Amendment \(Deepfake Sexual Material\) Act 2024", [offence.commenced])


def test_474_17a_covers_deepfakes_and_recklessness(kb):
    offence = one_offence(kb, "s 474.17A", "AU")
    assert has(r"deepfake", [offence.covers] + offence.elements)
    assert has(r"AI", offence.elements)
    assert has(r"reckless", offence.elements)
    assert has(r"18 or over", offence.elements)


@pytest.mark.parametrize("section", ["s 474.17C", "s 474.17D"])
def test_doxxing_offences_in_force_11_december_2024(kb, section):
    # Seed 001 says "in force 10 Dec 2024", the Royal Assent date; Schedule 3 commenced the day
    # after Royal Assent (fact-check W3). Fails on "10 December" given as the start date.
    offence = one_offence(kb, section, "AU")
    assert offence.commenced and re.match(r"11 December 2024", offence.commenced)
    assert has(r"Privacy and Other Legislation Amendment Act 2024", [offence.commenced])
    assert not has(r"since 10 December 2024", offence.notes)


def test_474_17c_is_doxxing_of_personal_data(kb):
    offence = one_offence(kb, "s 474.17C", "AU")
    assert has(r"doxx", [offence.title, offence.covers])
    assert has(r"personal data", offence.elements)
    assert has(r"identified, contacted or located", offence.elements)
    assert has(r"menacing or harassing", offence.elements)


def test_474_17d_aggravated_doxxing_protected_attribute(kb):
    offence = one_offence(kb, "s 474.17D", "AU")
    assert has(r"474\.17C", offence.elements)
    assert has(r"protected attribute", offence.elements)
    assert has(r"(immaterial|does not matter) whether the group actually is", offence.elements)
    for attribute in ("race", "religion", "sexual orientation", "gender identity", "intersex status", "disability"):
        assert has(attribute, [offence.covers]), attribute


def test_474_17d_inserted_by_the_2024_privacy_act(kb):
    offence = one_offence(kb, "s 474.17D", "AU")
    assert offence.commenced and has(r"Privacy and Other Legislation Amendment Act 2024", [offence.commenced])


def test_372_1_identity_crime_elements(kb):
    offence = one_offence(kb, "s 372.1", "AU")
    assert has(r"identification information", offence.elements)
    assert has(r"impersonate", offence.elements)
    assert has(r"indictable offence", offence.elements)
    assert has(r"Part 9\.5", [offence.title] + offence.notes)


def test_372_1a_also_5_years_and_no_unchecked_section_numbers(kb):
    # Seed 001: "s 372.1A (dealing in identification information via a carriage service, also
    # 5 years)". Its "NSW Crimes Act s 192K" and "s 372.2 (possessing equipment)" could not be
    # checked and are probably wrong (fact-check R12, R13), so they are no longer named.
    offence = one_offence(kb, "s 372.1", "AU")
    related = [n for n in offence.notes if "372.1A" in n]
    assert related and years(related[0]) == {5}
    assert not has(r"192K", offence.notes) and not has(r"372\.2", offence.notes)
    assert has(r"State and territory identity-crime offences also exist", offence.notes)


HARM_TO_SECTION = [
    ("doxxing", "s 474.17C"),
    ("doxxing_hate", "s 474.17D"),
    ("threats", "s 474.15"),
    ("image_abuse", "s 474.17A"),
    ("impersonation", "s 372.1"),
    ("harassment", "s 474.17"),
]


@pytest.mark.parametrize("harm,section", HARM_TO_SECTION)
def test_au_harm_maps_to_offence(kb, harm, section):
    assert section in [o.section for o in kb.offences(harm, "AU")]


def test_au_offences_reachable_from_a_state(kb):
    """A person in Perth gets the Commonwealth offences too."""
    assert "s 474.17C" in [o.section for o in kb.offences("doxxing", "AU-WA")]


def test_doxxing_topic_penalties_match_the_offences(kb):
    # Seed 001 "Doxxing status": standalone offence "as of 10 December 2024", up to 6 years
    # (474.17C) and 7 years (474.17D).
    topic = get_topic(kb, "doxxing-au")
    texts = topic_texts(topic)
    assert has(r"since 11 December 2024", texts)  # fact-check W3: not the seed's 10 December
    assert not has(r"since 10 December 2024", texts)
    assert any("474.17C" in t and years(t) == {6} for t in texts)
    assert any("474.17D" in t and years(t) == {7} for t in texts)
    assert has(r"statutory tort for serious invasions of privacy", texts)


# =========================================================================================
# Other countries' laws named in the seeds
# =========================================================================================

# Seed 001, "If the person is in Canada": "criminal harassment s.264, uttering threats s.264.1,
# extortion s.346, identity theft/fraud s.402.2/403, and for intimate-image exposure s.162.1".
CANADA = [
    ("s 264", r"harassment", "harassment"),
    ("s 264.1", r"threats", "threats"),
    ("s 346", r"extortion", "extortion"),
    ("s 402.2", r"identity theft", "impersonation"),
    ("s 403", r"identity fraud", "impersonation"),
    ("s 162.1", r"intimate image", "image_abuse"),
]


@pytest.mark.parametrize("section,title,harm", CANADA, ids=[c[0] for c in CANADA])
def test_canada_criminal_code_offence(kb, section, title, harm):
    offence = one_offence(kb, section, "CA")
    assert has(r"Criminal Code", [offence.law])
    assert has(title, [offence.title])
    assert harm in offence.harms
    assert offence.elements and offence.sources


# Not in the seeds: maxima on indictment, from the Criminal Code (R.S.C. 1985, c. C-46).
CANADA_PENALTIES = [
    ("s 264", r"10 years"),
    ("s 264.1", r"5 years"),
    ("s 346", r"life"),
    ("s 402.2", r"5 years"),
    ("s 403", r"10 years"),
    ("s 162.1", r"5 years"),
]


@pytest.mark.parametrize("section,penalty", CANADA_PENALTIES, ids=[c[0] for c in CANADA_PENALTIES])
def test_canada_max_penalty(kb, section, penalty):
    assert has(penalty, [one_offence(kb, section, "CA").max_penalty])


def test_canada_search_finds_264_1_not_264(kb):
    hits = kb.search("s 264.1")
    assert [h.item.section for h in hits] == ["s 264.1"]


def test_south_africa_protection_from_harassment_act_s18_up_to_5_years(kb):
    # Seed 001: "breach of which is a crime (up to 5 years, s.18(1)(a))".
    offence = one_offence(kb, "s 18(1)(a)", "ZA")
    assert has(r"Protection from Harassment Act", [offence.law])
    assert years(offence.max_penalty) == {5}
    assert has(r"protection order", offence.elements)


def test_south_africa_s4_direction_to_service_provider(kb):
    # Seed 001: under s.4 a magistrate's court can direct an SA electronic communications
    # service provider to furnish "name, identity number and address".
    offence = one_offence(kb, "s 18(1)(a)", "ZA")
    assert has(r"section 4", offence.notes)
    assert has(r"identity number and address", offence.notes)


def test_south_africa_cybercrimes_act_takedown_not_in_operation(kb):
    # Seed 001: "the Cybercrimes Act s.20 takedown order and s.21 unmasking direction are NOT
    # yet in operation".
    lever = kb.jurisdiction("ZA").harasser_here.fastest_lever
    assert has(r"s 20 takedown order and s 21 unmasking direction are NOT", [lever])


def test_nz_hdca_s22(kb):
    # Seed 001: "NZ Police can act under the Crimes Act / HDCA s 22".
    offence = one_offence(kb, "s 22", "NZ")
    assert offence.law == "Harmful Digital Communications Act 2015"
    assert has(r"intend", offence.elements)
    assert has(r"ordinary reasonable person", offence.elements)


def test_nz_hdca_s22_penalty(kb):
    # Not in the seeds: HDCA 2015 s 22(3), individuals up to 2 years or $50,000.
    offence = one_offence(kb, "s 22", "NZ")
    assert has(r"2 years", [offence.max_penalty]) and has(r"\$50,000", [offence.max_penalty])


def test_nz_hdca_overseas_service_limit(kb):
    # Seed 001: "no statutory provision for serving an overseas defendant; leave of the District
    # Court under District Court Rules Part 6 is required".
    offence = one_offence(kb, "s 22", "NZ")
    assert has(r"District Court Rules Part 6", offence.notes)


@pytest.mark.parametrize(
    "section,words",
    [
        ("18 U.S.C. § 875(c)", r"threat to kidnap"),
        ("18 U.S.C. § 2261A", r"course of conduct"),
    ],
)
def test_us_federal_offence(kb, section, words):
    # Seed 001: "a U.S. federal case (18 U.S.C. § 875(c), § 2261A) opened via the FBI".
    offence = one_offence(kb, section, "US")
    assert has(words, [offence.covers])
    assert has(r"FBI", offence.notes)


@pytest.mark.parametrize("query", ["875(c)", "18 USC 2261A", "2261A"])
def test_us_sections_found_by_number(kb, query):
    assert kb.offence(query, "US")


def test_us_federal_penalties(kb):
    # Not in the seeds: 18 U.S.C. § 875(c) and § 2261(b)(5), 5 years in the general case.
    assert has(r"5 years", [one_offence(kb, "875(c)", "US").max_penalty])


def test_us_sextortion_has_its_federal_offence(kb):
    # Not in the seeds: 18 U.S.C. § 875(d), a threat to injure property or reputation with intent to
    # extort, "not more than two years" (the statute's text).
    offence = one_offence(kb, "875(d)", "US")
    assert years(offence.max_penalty) == {2} and {"sextortion", "extortion"} <= set(offence.harms)
    assert kb.offences("sextortion", "US")[0].section == "18 U.S.C. § 875(d)"
    assert has(r"5 years", [one_offence(kb, "2261A", "US").max_penalty])


# =========================================================================================
# Recording calls (seed 001, "State & territory law may add offences")
# =========================================================================================

RECORDING = [
    ("AU-NSW", "all-party"),
    ("AU-VIC", "one-party"),
    ("AU-QLD", "one-party"),
    ("AU-WA", "all-party"),
    ("AU-SA", "all-party"),
    ("AU-TAS", "all-party"),
    ("AU-ACT", "all-party"),
    ("AU-NT", "one-party"),
]


@pytest.mark.parametrize("region,consent", RECORDING)
def test_recording_rule(kb, region, consent):
    found = kb.recording(region)
    assert found is not None and found.recording is not None
    assert found.recording.consent == consent
    # the wording must not contradict the rule
    assert has(consent, [found.recording.detail])
    assert found.recording.sources


def test_recording_rules_cover_all_eight_and_only_them(kb):
    rules = {r.id: r.recording.consent for r in kb.recording_rules("AU")}
    assert rules == dict(RECORDING)


def test_recording_nsw_surveillance_devices_act_2007_s7(kb):
    # Seed 001: "Surveillance Devices Act 2007 (NSW); limited 'protection of lawful interests'
    # exception under s 7". Section 7 has more than one exception (fact-check W5), so "only a
    # limited ... exception" is wrong.
    nsw = kb.recording("AU-NSW").recording
    assert nsw.law == "Surveillance Devices Act 2007 (NSW)"
    assert has(r"Section 7 has limited exceptions, including", [nsw.detail])
    assert has(r"protect your lawful interests", [nsw.detail])
    topic_nsw = [p.text for p in kb.topic("recording-au").points if p.jurisdictions == ["AU-NSW"]]
    assert topic_nsw and not has(r"\bonly a limited", topic_nsw)
    assert has(r"not made for the purpose of communicating or publishing", topic_nsw)


@pytest.mark.parametrize("region", ["AU-VIC", "AU-QLD", "AU-NT", "AU-NSW"])
def test_recording_rule_warns_not_to_share_the_recording(kb, region):
    # Fact-check R1: recording may be lawful, but communicating or publishing it can be an offence.
    detail = kb.recording(region).recording.detail
    assert has(r"(sharing or publishing|share or publish)", [detail]) and has(r"police or a lawyer", [detail])


def test_recording_topic_mentions_phone_interception_law(kb):
    # Fact-check R2: the Telecommunications (Interception and Access) Act 1979 for phone calls.
    texts = topic_texts(get_topic(kb, "recording-au"))
    assert has(r"Telecommunications \(Interception and Access\) Act 1979", texts)
    assert has(r"offence to share or publish", texts)


@pytest.mark.parametrize(
    "city,consent",
    [("Perth", "all-party"), ("Melbourne", "one-party"), ("Darwin", "one-party"), ("Sydney", "all-party")],
)
def test_recording_rule_from_a_city(kb, city, consent):
    assert kb.recording(kb.places.resolve(city)).recording.consent == consent


def test_recording_is_none_for_a_whole_country(kb):
    assert kb.recording("AU") is None
    assert kb.recording("NZ") is None


def test_recording_topic_groups_states_correctly(kb):
    points = get_topic(kb, "recording-au").points
    one = [p for p in points if re.search(r"One-party consent", p.text)]
    every = [p for p in points if re.search(r"All-party consent", p.text)]
    assert len(one) == 1 and len(every) == 1
    assert set(one[0].jurisdictions) == {"AU-VIC", "AU-QLD", "AU-NT"}
    assert set(every[0].jurisdictions) == {"AU-NSW", "AU-WA", "AU-SA", "AU-TAS", "AU-ACT"}
    for name in ("Victoria", "Queensland", "Northern Territory"):
        assert name in one[0].text
    for name in ("New South Wales", "Western Australia", "South Australia", "Tasmania", "Australian Capital Territory"):
        assert name in every[0].text


# =========================================================================================
# Cross-border routes (seed 001, "If the person is in another country")
# =========================================================================================

OTHER_COUNTRIES = ["US", "UK", "CA", "NZ", "ZA"]


@pytest.mark.parametrize("harasser", OTHER_COUNTRIES)
def test_route_from_au_is_known(kb, harasser):
    route = kb.route("AU", harasser)
    assert route.known
    assert route.victim == "AU" and route.harasser == harasser
    assert route.over_there is not None and route.at_home is not None


@pytest.mark.parametrize("harasser", OTHER_COUNTRIES)
def test_route_honest_truth_you_cannot_contact_interpol_yourself(kb, harasser):
    # Seed 001: "The honest truth: you cannot contact Interpol yourself, only police can."
    truth = kb.route("AU", harasser).over_there.honest_truth
    assert has(r"cannot contact INTERPOL yourself", [truth])
    assert has(r"only police can", [truth])


def test_route_at_home_in_au_uses_ncb_canberra(kb):
    steps = kb.route("AU", "US").at_home.steps
    assert has(r"NCB\)? Canberra", steps)
    assert has(r"Attorney-General's Department", steps)


def test_route_to_us_report_directly_ic3_and_fbi_tips(kb):
    # Seed 001: "file directly with the FBI Internet Crime Complaint Center (https://www.ic3.gov)
    # and the FBI tip line (https://tips.fbi.gov)".
    urls = [c.url for c in kb.route("AU", "US").report_directly]
    assert any("ic3.gov" in u for u in urls)
    assert any("tips.fbi.gov" in u for u in urls)


def test_route_to_us_interpol_washington_and_doj_oia(kb):
    there = kb.route("AU", "US").over_there
    assert has(r"INTERPOL Washington", [there.how_it_reaches_them])
    assert has(r"Office of International Affairs", [there.how_it_reaches_them])
    assert has(r"Section 230", [there.fastest_lever])


def test_route_to_nz_lever_is_netsafe_and_the_hdca(kb):
    lever = kb.route("AU", "NZ").over_there.fastest_lever
    assert has(r"Netsafe", [lever])
    assert has(r"Harmful Digital Communications Act 2015", [lever])
    assert has(r"0508 638 723", [lever])


def test_route_to_nz_interpol_wellington(kb):
    there = kb.route("AU", "NZ").over_there
    assert has(r"INTERPOL Wellington", [there.how_it_reaches_them])
    assert has(r"Mutual Assistance in Criminal Matters Act 1992", [there.how_it_reaches_them])


def test_route_to_za_lever_is_the_protection_from_harassment_act(kb):
    there = kb.route("AU", "ZA").over_there
    assert has(r"Protection from Harassment Act", [there.fastest_lever])
    assert has(r"NCB Pretoria", [there.how_it_reaches_them])
    assert has(r"SAPS Crime Intelligence", [there.how_it_reaches_them])
    assert has(r"Act 75 of 1996", [there.how_it_reaches_them])


def test_route_to_ca_ncb_ottawa_run_by_the_rcmp(kb):
    there = kb.route("AU", "CA").over_there
    text = [there.how_it_reaches_them] + there.channels
    assert has(r"NCB\)? Ottawa", text)
    assert has(r"RCMP", text)
    assert has(r"International Assistance Group", text)


def test_route_to_uk_national_crime_agency(kb):
    there = kb.route("AU", "UK").over_there
    assert has(r"National Crime Agency", [there.how_it_reaches_them])
    assert has(r"Ofcom", [there.fastest_lever]) and has(r"Online Safety Act 2023", [there.fastest_lever])


def test_route_within_the_same_country_has_no_over_there(kb):
    assert kb.route("AU-WA", "AU-NSW").over_there is None


def test_route_harasser_abroad_unknown_country_still_gives_home_steps(kb):
    route = kb.route("AU", "abroad")
    assert route.harasser == "abroad" and route.known and route.over_there is None


# -- MLATs, Budapest, INTERPOL, FBI Legats (seed 001, "When the harasser is in another country")

MLAT_DATES = [
    ("UK", "2 December 1996"),
    ("Canada", "24 January 1990"),
    ("Mexico", "3 May 1991"),
    ("Australia", "30 September 1999"),
]


@pytest.mark.parametrize("country,date", MLAT_DATES)
def test_us_bilateral_mlat_dates_in_mlat_topic(kb, country, date):
    point = [p.text for p in get_topic(kb, "mlat").points if date in p.text]
    assert point, f"{date} missing from the mlat topic"
    assert re.search(
        re.escape(country) + r"[^.;]{0,40}" + re.escape(date), point[0].replace("\n", " ")
    ), f"{date} is not attached to {country}"


@pytest.mark.parametrize("country,date", MLAT_DATES)
def test_us_bilateral_mlat_dates_in_us_route(kb, country, date):
    channels = kb.jurisdiction("US").harasser_here.channels
    assert any(date in c for c in channels)


def test_no_us_nz_bilateral_mlat(kb):
    texts = topic_texts(get_topic(kb, "mlat"))
    assert has(r"no bilateral US-New Zealand MLAT", texts)
    assert has(r"but not New Zealand", kb.jurisdiction("US").harasser_here.channels)


def test_mlat_private_parties_cannot_file(kb):
    assert has(r"not available for use by private parties", topic_texts(get_topic(kb, "mlat")))


def test_budapest_nz_81st_party_in_force_1_december_2025(kb):
    texts = topic_texts(get_topic(kb, "budapest"))
    assert has(r"81st party", texts)
    assert has(r"28 August 2025", texts)
    assert has(r"force for New Zealand (on|from) 1 December 2025", texts)
    nz = kb.jurisdiction("NZ").harasser_here
    assert has(r"1 December 2025", [nz.how_it_reaches_them])
    assert has(r"81st party", nz.channels)


def test_budapest_mexico_not_a_party(kb):
    assert has(r"Mexico is not a party", topic_texts(get_topic(kb, "budapest")))


def test_budapest_parties(kb):
    assert has(r"US, UK, Canada, Australia and New Zealand are all parties", topic_texts(get_topic(kb, "budapest")))


def test_interpol_has_196_members(kb):
    texts = topic_texts(get_topic(kb, "interpol"))
    assert has(r"196 member countries", texts)
    assert not has(r"19[0-57-9] member", texts)


def test_interpol_ncbs_do_not_respond_to_the_public(kb):
    texts = topic_texts(get_topic(kb, "interpol"))
    assert has(r"cannot contact INTERPOL yourself", texts)
    assert has(r"do not respond to requests from the general public", texts)


def test_interpol_ncb_hosts(kb):
    texts = topic_texts(get_topic(kb, "interpol"))
    assert has(r"Canberra is hosted by the AFP", texts)
    assert has(r"Ottawa is run by the RCMP", texts)
    assert has(r"National Crime Agency", texts)
    assert has(r"Pretoria sits within SAPS Crime Intelligence", texts)
    assert has(r"INTERPOL Washington is the US NCB within the Department of Justice", texts)


def test_fbi_legat_wellington_opened_31_july_2025(kb):
    texts = topic_texts(get_topic(kb, "fbi-legats"))
    assert has(r"Wellington opened as a standalone office on 31 July 2025", texts)
    assert has(r"suboffice of the Canberra Legat since 2017", texts)
    assert has(r"opened 31 July 2025", kb.jurisdiction("NZ").harasser_here.channels)


def test_fbi_legats_have_no_powers_overseas(kb):
    texts = topic_texts(get_topic(kb, "fbi-legats"))
    assert has(r"no law-enforcement powers overseas", texts)
    assert has(r"more than 180 countries", texts)
    assert has(r"about 250 special agents", texts)


# =========================================================================================
# Guidance topics
# =========================================================================================

ESCALATION_RUNGS = [
    (1, [r"ReportCyber", r"reference number", r"000", r"131 444"]),
    (2, [r"Officer in Charge \(OIC\)", r"Apprehended Violence Order"]),
    (3, [r"cybercrime squad", r"AFP"]),
    (4, [r"in writing", r"supervising sergeant", r"Local Area Command"]),
    (
        5,
        [
            r"eSafety",
            r"removal notices",
            r"image-based abuse.{0,80}do not have to report to the platform first",
            r"adult cyber abuse or cyberbullying, report the content to the platform first",
        ],
    ),
    (6, [r"oversight body", r"Law Enforcement Conduct Commission", r"IBAC", r"CCC", r"Professional Standards"]),
    (7, [r"AFP", r"afp\.gov\.au/crimes/cybercrime"]),
    (8, [r"MP", r"cannot direct, reopen,? or influence"]),
    (9, [r"NCB\)? Canberra", r"MLAT", r"Attorney-General's Department"]),
]


@pytest.fixture(scope="module")
def ladder(kb):
    return kb.escalation("AU")


def test_escalation_au_is_an_ordered_nine_rung_ladder(ladder):
    assert ladder is not None and ladder.id == "escalation-au"
    assert ladder.ordered is True
    assert len(ladder.points) == 9


@pytest.mark.parametrize("rung,patterns", ESCALATION_RUNGS, ids=[f"rung{r}" for r, _ in ESCALATION_RUNGS])
def test_escalation_au_rung(ladder, rung, patterns):
    text = ladder.points[rung - 1].text
    for pattern in patterns:
        assert has(pattern, [text]), f"rung {rung} should mention {pattern!r}"


def test_escalation_reaches_a_state(kb):
    ladder = kb.escalation("AU-VIC")
    assert ladder is not None and len(ladder.points) == 9


def test_evidence_capture_context(kb):
    texts = topic_texts(get_topic(kb, "evidence"))
    assert has(r"URL", texts)
    assert has(r"dates and times", texts)
    assert has(r"screenshots and screen recordings", texts)
    assert has(r"full conversation", texts)


def test_evidence_original_files_backups_and_log(kb):
    texts = topic_texts(get_topic(kb, "evidence"))
    assert has(r"original files", texts)
    assert has(r"more than one place", texts)
    assert has(r"diary or log", texts)


def test_evidence_postmark_is_weak_proof(kb):
    assert has(r"postmark.{0,40}weak proof", topic_texts(get_topic(kb, "evidence")))


def test_evidence_email_headers(kb):
    texts = topic_texts(get_topic(kb, "evidence-email"))
    assert has(r"full email headers", texts)
    assert has(r"Forwarding an email replaces the original header", texts)
    assert has(r"screenshot.{0,40}cannot show the headers", texts)


def test_evidence_nz_contact_netsafe_or_police_before_deleting_or_blocking(kb):
    # Seed 001 quoting Netsafe: "Contact Netsafe, or the Police first before deleting any
    # content or blocking the abuser's number or profile".
    topic = kb.topic("evidence-nz", "NZ")
    assert topic is not None
    assert has(r"Netsafe or the Police before you delete any content or block", [p.text for p in topic.points])


def test_evidence_nz_do_not_store_objectionable_content(kb):
    points = [p.text for p in get_topic(kb, "evidence-nz").points]
    assert has(r"Do not screenshot or store content you believe is objectionable", points)
    assert has(r"illegal in New Zealand to store, send or share", points)
    assert has(r"Department of Internal Affairs", points)


def test_swatting_fbi_psa_29_april_2025(kb):
    texts = topic_texts(get_topic(kb, "swatting"))
    assert has(r"29 April 2025", texts)


def test_swatting_non_emergency_line_not_attributed_to_fbi(kb):
    # Seed 001: the pre-notification step "should not be attributed to the FBI".
    points = [p.text for p in get_topic(kb, "swatting").points if re.search(r"non-emergency", p.text)]
    assert points
    assert has(r"not from the FBI", points)


def test_swatting_no_universal_registry(kb):
    texts = topic_texts(get_topic(kb, "swatting"))
    assert has(r"Most places have no formal swatting registry", texts)
    assert has(r"2018", texts) and has(r"Smart911", texts)


def test_multi_victim_course_of_conduct(kb):
    texts = topic_texts(get_topic(kb, "multi-victim"))
    assert has(r"course of conduct", texts)
    assert has(r"two or more persons", texts)


def test_multi_victim_cross_reference_reference_numbers(kb):
    texts = topic_texts(get_topic(kb, "multi-victim"))
    assert has(r"Share your reference numbers", texts)
    assert has(r"not a quoted official instruction", texts)


def test_platforms_three_levers(kb):
    topic = get_topic(kb, "platforms-levers")
    texts = topic_texts(topic)
    assert has(r"three things", texts)
    assert has(r"First lever: a court order", texts)
    assert has(r"Second lever: a law-enforcement request", texts)
    assert has(r"Third lever: the platform's own Community Guidelines", texts)
    assert has(r"only free, immediate lever", texts)


def test_platforms_informal_emails_ignored(kb):
    texts = topic_texts(get_topic(kb, "platforms-levers"))
    assert has(r"legal@", texts)
    assert has(r"informal channels", texts)
    assert has(r"facebook\.com/records", texts) and has(r"legalrequests\.x\.com", texts)


def test_platforms_report_each_item(kb):
    texts = topic_texts(get_topic(kb, "platforms-report-each-item"))
    assert has(r"per comment", texts)
    assert has(r"will not disclose your identity", texts)


def test_platforms_impersonation_has_its_own_flow(kb):
    texts = topic_texts(get_topic(kb, "platforms-impersonation"))
    assert has(r"Pretending to be someone", texts)
    assert has(r"Report account", texts)


def test_platforms_mass_reporting_does_not_work(kb):
    texts = topic_texts(get_topic(kb, "platforms-mass-reporting"))
    assert has(r"does not lead to automatic removal", texts)
    assert has(r"not on how many reports", texts)


def test_netsafe_faq_on_holiday_in_nz(kb):
    points = [p.text for p in get_topic(kb, "netsafe-faq").points]
    assert has(r"holiday in New Zealand.{0,40}Yes\. Anyone in New Zealand can contact Netsafe", points)


def test_netsafe_faq_harasser_overseas(kb):
    points = [p.text for p in get_topic(kb, "netsafe-faq").points]
    assert has(r"overseas.{0,80}one of the people involved is based in New Zealand", points)


def test_netsafe_faq_fake_accounts_cannot_be_traced(kb):
    points = [p.text for p in get_topic(kb, "netsafe-faq").points]
    assert has(r"cannot trace who is behind fake accounts", points)


def test_netsafe_service_contact_details(kb):
    texts = topic_texts(get_topic(kb, "netsafe-service"))
    assert has(r"0508 NETSAFE \(0508 638 723\)", texts)
    assert has(r"text 'Netsafe' to 4282", texts)
    assert has(r"not an enforcement agency", texts)
    assert has(r"call 111", texts)


def test_wiredsafety_rules(kb):
    texts = topic_texts(get_topic(kb, "wiredsafety-rules"))
    assert has(r"not links to police", texts)
    assert has(r"do not replace 911, 999", texts)
    assert has(r"will not forward police reports", texts)
    assert has(r"does not handle missing children", texts)
    assert has(r"1-800-THE-LOST \(1-800-843-5678\)", texts)
    assert has(r"WiredCops", texts)


def test_protection_orders_za_s18_5_years(kb):
    topic = kb.topic("protection-orders", "ZA")
    za = [p.text for p in topic.points if "ZA" in p.jurisdictions]
    assert any("18(1)(a)" in t and years(t) == {5} for t in za)


# =========================================================================================
# Every fact-bearing entry: sources and a recent review date
# =========================================================================================


def _entries():
    kb = load_knowledge()
    for jurisdiction in kb.jurisdictions.values():
        for contact in jurisdiction.contacts:
            yield contact
        for offence in jurisdiction.offences:
            yield offence
        for region in jurisdiction.regions:
            if region.recording:
                yield region.recording
        for extra in (jurisdiction.harasser_here, jurisdiction.victim_here_harasser_abroad):
            if extra:
                yield extra
    yield from kb.topics.values()


ENTRIES = list(_entries())


def test_the_entry_list_is_not_empty():
    # 6 jurisdictions: at least their contacts, the AU offences and the topics
    assert len(ENTRIES) > 80


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_entry_has_https_sources(entry: Entry):
    assert entry.sources
    assert all(re.match(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$", url) for url in entry.sources)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_entry_reviewed_recently_and_not_in_the_future(entry: Entry):
    assert entry.last_reviewed <= TODAY, f"{entry.id} claims a review in the future"
    assert TODAY - entry.last_reviewed <= MAX_AGE, f"{entry.id} was last reviewed over two years ago"


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if isinstance(e, Contact)], ids=[e.id for e in ENTRIES if isinstance(e, Contact)]
)
def test_contact_urls_are_https(entry: Contact):
    assert entry.url is None or entry.url.startswith("https://")


# =========================================================================================
# Numbers repeated in free text must agree with the structured fields
# =========================================================================================


def _all_text(kb) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(kb.root.rglob("*.yml")))


# A number with a distinctive prefix that appears anywhere in the knowledge base (steps,
# notes, topics) must be one of the known numbers: a typo in prose is as dangerous as one
# in a phone field.
NUMBER_FAMILIES = [
    ("Netsafe 0508", r"0508[ -]?\d{3}[ -]?\d{3}", {"0508638723"}),
    (
        "AU 13xx xxx",
        r"(?<![\d-])13[ ]?\d{2}[ ]?\d{2}(?![\d-])|(?<![\d-])13\d[ ]\d{3}(?![\d-])",
        {"131114", "131444", "131450", "133677"},
    ),
    # Suicide Call Back, the ASD/ACSC hotline, SA's Office for Public Integrity
    ("AU 1300", r"1300[ ]?\d{3}[ ]?\d{3}", {"1300292371", "1300659467", "1300782489"}),
    # AU 1800 numbers: Kids Helpline, WA CCC, Ombudsman NT (and NZ's Youthline has 0800)
    ("AU 1800", r"(?<![\d-])1800 \d{2,3} \d{3,4}(?![\d-])", {"1800551800", "1800809000", "1800806380"}),
    # NCMEC, FBI tips, Kids Help Phone
    ("US/CA 1-800", r"1-800-\d{3}-\d{4}", {"18008435678", "18002255324", "18006686868"}),
    ("CA 1-866", r"1-866-\d{3}-\d{4}", {"18666589022"}),
    # SADAG (two lines), NZ Youthline, NZ IPCA
    ("0800 xxx xxx", r"0800[ ]?\d{3}[ ]?\d{3}", {"0800567567", "0800456789", "0800376633", "0800503728"}),
]


@pytest.mark.parametrize("label,pattern,allowed", NUMBER_FAMILIES, ids=[f[0] for f in NUMBER_FAMILIES])
def test_numbers_in_free_text_are_the_known_ones(kb, label, pattern, allowed):
    found = {digits(m) for m in re.findall(pattern, _all_text(kb))}
    assert found, f"no {label} number found at all"
    assert found <= allowed, f"unexpected {label} numbers: {found - allowed}"
