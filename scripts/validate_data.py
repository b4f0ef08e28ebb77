#!/usr/bin/env python
"""`rasa data validate`, failing on every warning but one kind we expect.

Rasa warns about responses that no story or rule uses. Ours that are sent by
custom actions (dispatcher.utter_message(response=...)) are listed under
`actions:` in domain.yml, and a form asks for each of its slots with
`utter_ask_<slot>`; only those warnings are allowed. Anything else
(an unknown intent, a conflicting rule, a duplicate example) fails.
"""

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    sent_by_actions = {a for a in domain.get("actions", []) if a.startswith("utter_")}
    sent_by_actions |= {
        f"utter_ask_{slot}"
        for form in (domain.get("forms") or {}).values()
        for slot in form.get("required_slots") or []
    }
    run = subprocess.run(
        [str(ROOT / ".venv/bin/rasa"), "data", "validate", "--quiet"], cwd=ROOT, capture_output=True, text=True
    )
    output = run.stdout + run.stderr
    problems = []
    for line in output.splitlines():
        if "UserWarning" not in line and not re.search(r"\b(ERROR|Error)\b", line):
            continue
        unused = re.search(r"The utterance '(\w+)' is not used in any story or rule", line)
        if unused and unused.group(1) in sent_by_actions:
            continue
        problems.append(re.sub(r"\x1b\[[0-9;]*m", "", line).strip())
    if run.returncode != 0 or problems:
        print(output if run.returncode != 0 else "\n".join(problems), file=sys.stderr)
        print("rasa data validate: FAILED", file=sys.stderr)
        return 1
    print(f"rasa data validate: clean ({len(sent_by_actions)} responses sent by actions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
