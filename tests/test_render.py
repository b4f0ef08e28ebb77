"""Answers are channel-neutral data; they render as safe Markdown within a budget, leaving out
the least important sections first and offering each one left out as a button."""

import pytest

from bot.knowledge import load_knowledge
from bot.render import DISCLAIMER, ESSENTIAL, Answer, render_markdown, to_markdown, words


def sample(lines=3):
    answer = Answer(
        opener="Sorry.", legal=True, buttons=[("Save evidence", "/ask_evidence"), ("Talk", "/human_handoff")]
    )
    answer.add(
        "Where to report",
        [f"**Line {i}**: https://example.gov/{i}" for i in range(lines)],
        ["https://example.gov/a", "https://example.gov/b"],
    )
    return answer


def test_markdown_has_sections_sources_and_disclaimer():
    text = to_markdown(sample())
    assert "**Where to report**" in text and "- **Line 0**" in text
    assert "Sources: https://example.gov/a, https://example.gov/b" in text
    assert DISCLAIMER in text


def test_the_payload_round_trips():
    answer = sample()
    answer.add(None, ["Call 000."], priority=ESSENTIAL)
    answer.full = True
    assert Answer.from_dict(answer.as_dict()) == answer


def budgeted():
    answer = Answer(opener="I'm so sorry.", legal=True, buttons=[("Talk", "/human_handoff")])
    answer.add(None, ["If you ever feel in danger, call 000."], priority=ESSENTIAL)
    answer.add("The law", ["law " * 30], priority=20, more=("More on the law", "/ask_offence"))
    answer.add("Where to report", ["report " * 30], priority=30, more=("Where to report", "/ask_report"))
    answer.add("On the platform", ["platform " * 30], priority=40, more=("Get it taken down", "/ask_platform_removal"))
    return answer


def test_the_least_important_sections_go_first_and_come_back_as_buttons():
    text, buttons = render_markdown(budgeted(), max_words=80)
    assert words(text) <= 80
    assert "The law" in text and "On the platform" not in text
    assert ("Get it taken down", "/ask_platform_removal") in buttons and ("Talk", "/human_handoff") in buttons
    assert ("More on the law", "/ask_offence") not in buttons  # shown, so not offered again


def test_safety_lines_come_first_and_always_stay():
    text, _ = render_markdown(budgeted(), max_words=5)
    assert text.startswith("If you ever feel in danger, call 000.")
    text, _ = render_markdown(budgeted(), max_words=20)
    assert text.index("I'm so sorry.") > text.index("call 000")


def test_the_last_section_is_cut_line_by_line_never_to_a_bare_heading():
    answer = Answer()
    answer.add("Steps", [f"step {i} " + "word " * 8 for i in range(6)], priority=20, more=("Steps", "/steps"))
    text, buttons = render_markdown(answer, max_words=35)
    assert "**Steps**" in text and "step 0" in text and "step 5" not in text
    text, buttons = render_markdown(answer, max_words=3)  # never nothing: the first line, and "more"
    assert "**Steps**" in text and "step 0" in text and "step 1" not in text and ("Steps", "/steps") in buttons


def test_one_long_point_is_cut_to_its_first_sentences_not_left_out():
    answer = Answer()
    answer.add("INTERPOL", ["First sentence here. " + "Second one is long. " * 30], priority=10, more=("More", "/m"))
    text, buttons = render_markdown(answer, max_words=20)
    assert "First sentence here." in text and words(text) <= 20 and ("More", "/m") in buttons


def test_no_budget_shows_everything():
    assert "On the platform" in render_markdown(budgeted())[0]


@pytest.mark.parametrize(
    "penalty,shown",
    [
        ("5 years imprisonment", "up to 5 years imprisonment"),
        (
            "Individual: up to 2 years' imprisonment or a fine of up to $50,000. Body corporate: a fine.",
            "individual: up to 2 years' imprisonment or a fine of up to $50,000",
        ),
        (
            "Threat to kill: 10 years imprisonment; threat to cause serious harm: 7 years imprisonment",
            "threat to kill: up to 10 years imprisonment",  # the headline maximum, the first
        ),
    ],
)
def test_an_offence_line_says_up_to_once_and_after_any_label(penalty, shown):
    from bot.render import offence_brief

    offence = load_knowledge().offences("threats", "AU")[0]
    line = offence_brief(offence.copy(update={"max_penalty": penalty}))
    assert line.endswith(f", {shown}"), line
