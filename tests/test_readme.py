"""The README matches the code: every NLU component in config.yml is named in "How a message
flows", every policy too, and the Layout table covers every folder of the repository."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIG = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 3)
    return README[start : end if end != -1 else None]


def test_every_pipeline_component_is_in_how_a_message_flows():
    flow = section("How a message flows")
    missing = [step["name"].split(".")[-1] for step in CONFIG["pipeline"] if step["name"].split(".")[-1] not in flow]
    assert not missing, f"README's 'How a message flows' does not name: {missing}"


def test_every_top_level_folder_and_bot_module_is_in_the_layout():
    layout = section("Layout")
    folders = [
        p.name
        for p in ROOT.iterdir()
        if p.is_dir()
        and not p.name.startswith(".")
        and p.name not in {"models", "results", "test-artifacts", "__pycache__"}
    ]
    modules = [
        f"bot/{p.name}" + ("/" if p.is_dir() else "")
        for p in (ROOT / "bot").iterdir()
        if (p.suffix in (".py", ".yml") or p.is_dir()) and not p.name.startswith("__")
    ]
    missing = [f for f in folders if f"`{f}/" not in layout]
    missing += [m for m in modules if m not in layout]
    assert not missing, f"README's Layout does not cover: {missing}"
