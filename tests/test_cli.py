"""The volunteer CLI: `python -m bot COMMAND ...`.

Exit codes: 0 found, 1 nothing found or unknown input, 2 usage error, 3 broken knowledge base.
Most tests call `bot.cli.run` in-process; a few run the real module as a subprocess.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import run

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
COVERED = ["Australia", "New Zealand", "United States", "United Kingdom", "Canada", "South Africa"]
COMMANDS = ["search", "contacts", "route", "recording", "topic", "topics", "export", "place", "check", "stale"]


def cli(capsys, *argv):
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli_process(*argv, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def has_number(text: str, number: str) -> bool:
    """The number's digits in order, with optional spaces or hyphens between them."""
    pattern = r"(?<!\d)" + r"[ -]?".join(re.escape(d) for d in re.sub(r"\D", "", number)) + r"(?!\d)"
    return re.search(pattern, text) is not None


# -- search ----------------------------------------------------------------------------------


def test_search_section_474_17c_shows_6_years(capsys):
    code, out, err = cli(capsys, "search", "474.17C")
    assert code == 0, err
    assert "s 474.17C" in out
    assert re.search(r"Maximum penalty: 6 years", out)
    assert "10 December 2024" in out
    assert "s 474.17D" not in out.split("\n")[1]  # the first line is the offence asked for


def test_search_threat_to_kill_finds_474_15(capsys):
    code, out, _ = cli(capsys, "search", "threat to kill")
    assert code == 0
    assert "s 474.15" in out
    assert re.search(r"Threat to kill: 10 years", out)


def test_search_threat_to_kill_in_australia_only(capsys):
    code, out, _ = cli(capsys, "search", "threat to kill", "--place", "AU")
    assert code == 0
    assert "s 474.15" in out
    assert "264.1" not in out and "875(c)" not in out


def test_search_264_1_finds_the_canadian_section(capsys):
    code, out, _ = cli(capsys, "search", "264.1")
    assert code == 0
    assert "s 264.1" in out
    assert "Criminal Code (R.S.C. 1985, c. C-46)" in out
    assert "Uttering threats" in out
    assert "Criminal harassment" not in out  # s 264 is a different offence


def test_search_with_unknown_place_exits_1(capsys):
    code, out, err = cli(capsys, "search", "474.17C", "--place", "Atlantis")
    assert code == 1
    assert out == ""
    assert "Atlantis" in err


# -- contacts ----------------------------------------------------------------------------------


def test_contacts_nz(capsys):
    code, out, _ = cli(capsys, "contacts", "NZ")
    assert code == 0
    for number in ("111", "1737", "0508 638 723", "105"):
        assert has_number(out, number), number
    assert "4282" in out


@pytest.mark.parametrize("place", ["the States", "USA", "Texas"])
def test_contacts_the_states(capsys, place):
    code, out, _ = cli(capsys, "contacts", place)
    assert code == 0
    assert "Emergency (United States)" in out
    assert has_number(out, "911") and has_number(out, "988")
    assert "ic3.gov" in out


def test_contacts_for_a_city_gives_the_country(capsys):
    code, out, _ = cli(capsys, "contacts", "Perth")
    assert code == 0
    assert "Emergency (Australia)" in out
    assert has_number(out, "000") and has_number(out, "13 11 14") and has_number(out, "131 444")


def test_contacts_unknown_place_names_the_covered_places(capsys):
    code, out, err = cli(capsys, "contacts", "Atlantis")
    assert code == 1
    assert out == ""
    assert "Atlantis" in err
    for name in COVERED:
        assert name in err, name


# -- route -------------------------------------------------------------------------------------


def test_route_au_us_mentions_ic3(capsys):
    code, out, _ = cli(capsys, "route", "AU", "US")
    assert code == 0
    assert "United States" in out
    assert "ic3.gov" in out
    assert "tips.fbi.gov" in out
    assert re.search(r"cannot contact INTERPOL yourself", out, re.I)


def test_route_perth_johannesburg(capsys):
    code, out, _ = cli(capsys, "route", "Perth", "Johannesburg")
    assert code == 0
    assert "South Africa" in out
    assert "Protection from Harassment Act" in out
    assert "NCB Pretoria" in out
    assert "Canberra" in out  # the victim's own steps in Australia


def test_route_unknown_harasser_place_exits_1(capsys):
    code, _, err = cli(capsys, "route", "AU", "Atlantis")
    assert code == 1
    assert "Atlantis" in err


# -- recording -------------------------------------------------------------------------------


def test_recording_sa_is_ambiguous_and_not_guessed(capsys):
    """ "SA" is South Australia or South Africa: exit 1, a message, and no guessed rule."""
    code, out, err = cli(capsys, "recording", "SA")
    assert code == 1
    assert out == ""
    assert "'SA'" in err
    assert "consent" not in err


def test_recording_sa_message_names_both_meanings(capsys):
    code, _, err = cli(capsys, "recording", "SA")
    assert code == 1
    assert "South Australia" in err and "South Africa" in err


def test_recording_south_australia_by_name(capsys):
    code, out, _ = cli(capsys, "recording", "South Australia")
    assert code == 0
    assert "South Australia" in out and "all-party consent" in out


def test_recording_wa_is_all_party(capsys):
    code, out, _ = cli(capsys, "recording", "WA")
    assert code == 0
    assert "Western Australia" in out
    assert "all-party consent" in out
    assert "one-party" not in out


def test_recording_au_lists_all_eight(capsys):
    code, out, _ = cli(capsys, "recording", "AU")
    assert code == 0
    expected = {
        "New South Wales": "all-party",
        "Victoria": "one-party",
        "Queensland": "one-party",
        "Western Australia": "all-party",
        "South Australia": "all-party",
        "Tasmania": "all-party",
        "Australian Capital Territory": "all-party",
        "Northern Territory": "one-party",
    }
    for name, consent in expected.items():
        assert re.search(rf"\*\*{name}\*\*: {consent} consent", out), f"{name}: {consent}"


def test_recording_for_a_country_without_rules(capsys):
    code, out, _ = cli(capsys, "recording", "NZ")
    assert code == 0
    assert "don't have call-recording rules for New Zealand" in out


# -- export ------------------------------------------------------------------------------------


def test_export_au_markdown(capsys):
    code, out, _ = cli(capsys, "export", "--jurisdiction", "AU", "--format", "md")
    assert code == 0
    assert out.startswith("# Online abuse quick reference: Australia")
    assert has_number(out, "000")
    assert "474.17C" in out
    assert "not legal advice" in out
    assert "nine-rung ladder" in out


def test_export_html_to_file(capsys, tmp_path):
    target = tmp_path / "au-card.html"
    code, out, _ = cli(capsys, "export", "--jurisdiction", "AU", "--format", "html", "--output", str(target))
    assert code == 0
    assert str(target) in out
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert html.rstrip().endswith("</html>")
    assert "<script" not in html.lower()
    assert "474.17C" in html and "not legal advice" in html
    assert "&#x27;" in html  # apostrophes in the facts are escaped
    assert "**" not in html  # markdown bold became <strong>
    assert '<a href="https://www.cyber.gov.au/report-and-recover/report">' in html


def test_export_html_escapes_knowledge_text(capsys, tmp_path):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    path = kdir / "jurisdictions" / "au.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["contacts"][0]["name"] = "Triple Zero <script>alert(1)</script>"
    data["contacts"][0]["when"] = 'Danger "now" & <img src=x onerror=alert(1)>'
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    target = tmp_path / "card.html"
    code, _, err = cli(
        capsys, "--knowledge", str(kdir), "export", "--jurisdiction", "AU", "--format", "html", "--output", str(target)
    )
    assert code == 0, err
    html = target.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_export_unknown_jurisdiction_exits_1(capsys):
    code, _, err = cli(capsys, "export", "--jurisdiction", "Atlantis")
    assert code == 1
    assert "Atlantis" in err


# -- topics ------------------------------------------------------------------------------------


def test_topics_lists_escalation_au(capsys):
    code, out, _ = cli(capsys, "topics")
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert "escalation-au" in ids
    assert {"evidence", "evidence-nz", "swatting", "netsafe-faq", "wiredsafety-rules"} <= set(ids)


def test_topic_escalation_au_shows_nine_numbered_rungs(capsys):
    code, out, _ = cli(capsys, "topic", "escalation-au")
    assert code == 0
    rungs = re.findall(r"^(?:- )?(\d)\. ", out, re.M)
    assert rungs == [str(i) for i in range(1, 10)]


def test_topic_nope_exits_1(capsys):
    code, out, err = cli(capsys, "topic", "nope")
    assert code == 1
    assert out == ""
    assert "nope" in err and "topics" in err


# -- place -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text,place", [("Perth", "AU-WA"), ("the States", "US"), ("Joburg", "ZA")])
def test_place(capsys, text, place):
    code, out, _ = cli(capsys, "place", text)
    assert code == 0
    assert f"-> {place} " in out


def test_place_atlantis_exits_1_and_names_covered_places(capsys):
    code, _, err = cli(capsys, "place", "Atlantis")
    assert code == 1
    for name in COVERED:
        assert name in err


# -- help and usage ------------------------------------------------------------------------------


def test_help_exits_0_and_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exited:
        run(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s", out, re.M), command
    assert "not legal advice" in out


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        run([])
    assert exited.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        run(["frobnicate"])
    assert exited.value.code == 2


# -- check and a broken knowledge base -------------------------------------------------------------


def test_check_ok(capsys):
    code, out, _ = cli(capsys, "check")
    assert code == 0
    assert "knowledge base OK: 6 jurisdictions" in out


def test_broken_yaml_exits_3_naming_the_file(capsys, tmp_path):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    (kdir / "jurisdictions" / "broken.yml").write_text("id: [unclosed\n", encoding="utf-8")
    code, out, err = cli(capsys, "--knowledge", str(kdir), "check")
    assert code == 3
    assert out == ""
    assert "broken.yml" in err
    assert "not valid YAML" in err


def test_schema_error_exits_3_naming_file_entry_and_field(capsys, tmp_path):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    path = kdir / "jurisdictions" / "nz.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    netsafe = next(c for c in data["contacts"] if c["id"] == "nz-netsafe")
    netsafe["phonenumber"] = netsafe.pop("phone")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code, _, err = cli(capsys, "--knowledge", str(kdir), "contacts", "NZ")
    assert code == 3
    assert "nz.yml" in err and "nz-netsafe" in err and "phonenumber" in err


def test_missing_knowledge_folder_exits_3(capsys, tmp_path):
    code, _, err = cli(capsys, "--knowledge", str(tmp_path / "nowhere"), "check")
    assert code == 3
    assert "nowhere" in err


# -- the real module, as a volunteer runs it -------------------------------------------------------


def test_subprocess_search_474_17c():
    result = cli_process("search", "474.17C")
    assert result.returncode == 0, result.stderr
    assert "s 474.17C" in result.stdout and "6 years" in result.stdout


def test_subprocess_exit_codes():
    assert cli_process("--help").returncode == 0
    assert cli_process().returncode == 2
    unknown = cli_process("contacts", "Atlantis")
    assert unknown.returncode == 1
    assert "Atlantis" in unknown.stderr and unknown.stdout == ""


def test_subprocess_broken_knowledge_exits_3(tmp_path):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    (kdir / "harms.yml").write_text("harms: [\n", encoding="utf-8")
    result = cli_process("--knowledge", str(kdir), "check")
    assert result.returncode == 3
    assert "harms.yml" in result.stderr


# -- stale: what is due for review -------------------------------------------------------------


def _redate(kdir: Path, when: str, only=None, keep_unverified: bool = False) -> None:
    """Set every last_reviewed under kdir (or only those of entries whose id is in `only`) to `when`.

    Unless keep_unverified, also drop the `unverified` lists, so that only dates decide what is due.
    """

    def walk(node):
        if isinstance(node, dict):
            if "last_reviewed" in node and (only is None or node.get("id") in only):
                node["last_reviewed"] = when
            if not keep_unverified:
                node.pop("unverified", None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in kdir.rglob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        walk(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_stale_nothing_due_exits_0(capsys, tmp_path):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    _redate(kdir, "2026-11-01")
    code, out, err = cli(capsys, "--knowledge", str(kdir), "stale", "--days", "30", "--as-of", "2026-11-15")
    assert code == 0, err
    assert out.startswith("nothing due")


def test_stale_lists_old_entries_grouped_by_file_with_pages_to_check(capsys, tmp_path):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    _redate(kdir, "2026-11-01")
    _redate(kdir, "2025-01-01", only={"au-000", "nz-111", "evidence"})
    code, out, _ = cli(capsys, "--knowledge", str(kdir), "stale", "--days", "30", "--as-of", "2026-11-15")
    assert code == 0
    assert out.startswith("3 entries due for review")
    files = [line for line in out.splitlines() if line.startswith("knowledge/")]
    assert files == [
        "knowledge/jurisdictions/au.yml (1)",
        "knowledge/jurisdictions/nz.yml (1)",
        "knowledge/topics/evidence.yml (1)",
    ]
    au = out.split("knowledge/jurisdictions/au.yml (1)")[1].split("knowledge/")[0]
    assert "au-000: last reviewed 2025-01-01 (683 days ago)" in au
    assert "check: https://" in au
    assert "nz-111" not in au


def test_stale_boundary_is_more_than_n_days(capsys, tmp_path):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    _redate(kdir, "2026-11-01")
    assert cli(capsys, "--knowledge", str(kdir), "stale", "--days", "14", "--as-of", "2026-11-15")[1].startswith(
        "nothing due"
    )
    code, out, _ = cli(capsys, "--knowledge", str(kdir), "stale", "--days", "13", "--as-of", "2026-11-15")
    assert code == 0 and "entries due for review" in out


def test_stale_lists_unverified_facts_whatever_their_date(capsys, tmp_path):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    _redate(kdir, "2026-11-01")  # drops every `unverified` list...
    edit_path = kdir / "jurisdictions/nz.yml"
    data = yaml.safe_load(edit_path.read_text(encoding="utf-8"))
    data["contacts"][0]["unverified"] = ["the call-taker's script was not checked"]  # ...then marks one fact
    edit_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    code, out, _ = cli(capsys, "--knowledge", str(kdir), "stale", "--days", "30", "--as-of", "2026-11-15")
    assert code == 0
    assert "1 entry has facts not yet verified" in out and "entries due for review" not in out
    assert "knowledge/jurisdictions/nz.yml (1)" in out
    assert "unverified: the call-taker's script was not checked" in out


def test_stale_on_the_real_knowledge_base_runs(capsys):
    code, out, err = cli(capsys, "stale", "--days", "0")
    assert code == 0, err
    assert re.match(r"(nothing due|1 entry due|\d+ entries due)", out)


@pytest.mark.parametrize("days", ["-1", "soon", "1.5"])
def test_stale_bad_days_is_a_usage_error(capsys, days):
    code, _, err = cli_exit(capsys, "stale", "--days", days)
    assert code == 2 and "days" in err


def test_stale_needs_days(capsys):
    code, _, err = cli_exit(capsys, "stale")
    assert code == 2 and "--days" in err


def test_stale_subprocess(tmp_path):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    _redate(kdir, "2026-11-01")
    done = cli_process("--knowledge", str(kdir), "stale", "--days", "30", "--as-of", "2026-11-20")
    assert done.returncode == 0 and done.stdout.startswith("nothing due")


def cli_exit(capsys, *argv):
    """Run a command that argparse rejects: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        run(list(argv))
    out, err = capsys.readouterr()
    return exited.value.code, out, err
