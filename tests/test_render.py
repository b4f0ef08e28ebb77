"""Answers render as safe Markdown for the widget and as plain, bounded text for SMS."""
from bot.render import DISCLAIMER, Answer, fit, sms_options, strip_markup, to_markdown, to_plain


def sample(lines=3):
    answer = Answer(opener="Sorry.", legal=True, buttons=[("Save evidence", "/ask_evidence"), ("Talk", "/human_handoff")])
    answer.add("Where to report", [f"**Line {i}**: https://example.gov/{i}" for i in range(lines)],
               ["https://example.gov/a", "https://example.gov/b"])
    return answer


def test_markdown_has_sections_sources_and_disclaimer():
    text = to_markdown(sample())
    assert "**Where to report**" in text and "- **Line 0**" in text
    assert "Sources: https://example.gov/a, https://example.gov/b" in text
    assert DISCLAIMER in text


def test_plain_text_has_no_markup_and_keeps_the_tail_when_cut():
    text = to_plain(sample(lines=400), limit=600, reserve=[("Save evidence", "")])
    assert "**" not in text and "_" not in text
    assert len(text) + len(sms_options([("Save evidence", "")])) + 1 <= 600
    assert text.endswith(DISCLAIMER)
    assert "Source: https://example.gov/a" in text


def test_sms_options_number_the_buttons():
    assert sms_options([{"title": "Save evidence"}, ("Talk", "/x")]) == "Reply 1 for Save evidence, 2 for Talk."
    assert sms_options([]) == ""


def test_strip_markup_leaves_words_and_snake_case_alone():
    assert strip_markup("**s 474.17C**: _note_ harm_doxxing") == "s 474.17C: note harm_doxxing"


def test_fit_keeps_whole_lines():
    assert fit(["aaaa", "bbbb", "cccc"], ["tail"], 14) == "aaaa\nbbbb\ntail"
