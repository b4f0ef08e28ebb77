"""Markdown -> text for SMS and WhatsApp (bot/channels/twilio_text.py), the one place where the
Twilio channels turn what actions send (Markdown and buttons) into what a phone shows."""

import pytest

from bot.answers import emergency_answer
from bot.channels.twilio_text import SMS, SMS_UCS2_LIMIT, WHATSAPP, compose, is_gsm7, options_line, pack, render
from bot.knowledge import load_knowledge
from bot.render import DISCLAIMER, Answer, to_markdown

BUTTONS = [{"title": "Save evidence", "payload": "/ask_evidence"}, {"title": "Talk to someone", "payload": "/h"}]


def answer_markdown(lines: int = 3) -> str:
    answer = Answer(opener="I'm so sorry this is happening to you.", legal=True)
    answer.add(
        "Where to report",
        [f"**Line {i}**: see https://example.gov/{i}" for i in range(lines)],
        ["https://example.gov/a", "https://example.gov/b"],
    )
    answer.add("What to do next", ["1. Save the messages.", "2. Report the account."])
    return to_markdown(answer)


def test_a_to_markdown_answer_as_sms():
    text = render(answer_markdown(), BUTTONS, SMS)
    assert text == (
        "I'm so sorry this is happening to you.\n\n"
        "Where to report:\n- Line 0: see https://example.gov/0\n- Line 1: see https://example.gov/1\n"
        "- Line 2: see https://example.gov/2\n\n"
        "What to do next:\n1. Save the messages.\n2. Report the account.\n\n"
        "Sources: https://example.gov/a, https://example.gov/b\n" + DISCLAIMER + "\n"
        "Reply 1 for Save evidence, 2 for Talk to someone."
    )


def test_a_to_markdown_answer_as_whatsapp():
    text = render(answer_markdown(), BUTTONS, WHATSAPP)
    assert text == (
        "I'm so sorry this is happening to you.\n\n"
        "*Where to report*\n- *Line 0*: see https://example.gov/0\n- *Line 1*: see https://example.gov/1\n"
        "- *Line 2*: see https://example.gov/2\n\n"
        "*What to do next*\n1. Save the messages.\n2. Report the account.\n\n"
        "Sources: https://example.gov/a, https://example.gov/b\n_" + DISCLAIMER + "_\n"
        "Reply 1 for Save evidence, 2 for Talk to someone."
    )


@pytest.mark.parametrize("style", [SMS, WHATSAPP])
def test_when_cut_the_sources_shrink_to_the_first_and_the_disclaimer_stays(style):
    text = render(answer_markdown(lines=400), BUTTONS, style)
    assert len(text) <= style.limit
    assert len(text) > style.limit - 80  # whole lines, but as many as fit
    assert "Source: https://example.gov/a\n" in text and "example.gov/b" not in text
    assert DISCLAIMER in text.splitlines()[-2]
    assert text.endswith("Reply 1 for Save evidence, 2 for Talk to someone.")
    assert "What to do next" not in text  # the cut is at the bottom of the body, not in the middle


@pytest.mark.parametrize("style", [SMS, WHATSAPP])
def test_every_line_of_an_emergency_answer_survives(style):
    kb = load_knowledge()
    for place in [None] + [j.id for j in kb.covered()]:
        markdown = to_markdown(emergency_answer(kb, place))
        text = render(markdown, BUTTONS, style)
        assert len(text) <= style.limit
        for contact in (
            [c for j in kb.covered() for c in j.contacts if c.kind in ("emergency", "crisis")]
            if place is None
            else kb.emergency(place) + kb.crisis(place)
        ):
            assert contact.phone in text, (place, contact.id)


def test_inline_markup():
    assert (
        render("**s 474.17C**: _note_ harm_doxxing https://x.org/a_b_c", (), SMS)
        == "s 474.17C: note harm_doxxing https://x.org/a_b_c"
    )
    assert (
        render("**s 474.17C**: _note_ *also* harm_doxxing", (), WHATSAPP) == "*s 474.17C*: _note_ _also_ harm_doxxing"
    )
    assert (
        render("See [eSafety](https://www.esafety.gov.au/report) or [https://a.gov](https://a.gov)", (), SMS)
        == "See eSafety (https://www.esafety.gov.au/report) or https://a.gov"
    )
    assert render("## Heading\n* one\n+ two\n`code`", (), SMS) == "Heading:\n- one\n- two\ncode"
    assert render("**Done.**", (), SMS) == "Done."
    assert render("2 * 3 = 6 and 4 * 5", (), WHATSAPP) == "2 * 3 = 6 and 4 * 5"


def test_sms_typography_and_encoding():
    assert render("it\u2019s \u201cfine\u201d \u2014 ok\u2026", (), SMS) == 'it\'s "fine" - ok...'
    assert render("it\u2019s", (), WHATSAPP) == "it\u2019s"  # WhatsApp has no GSM-7 to protect
    assert is_gsm7("Hello @ £5 {x}") and not is_gsm7("你好")
    assert SMS.limit_for("你好") == SMS_UCS2_LIMIT and SMS.limit_for("hello") == SMS.limit
    assert SMS.length("{}") == 4  # GSM-7 extension characters take two septets
    assert WHATSAPP.length("\U0001f600") == 2  # an emoji is two UTF-16 units, as Twilio counts


def test_options_line():
    assert options_line(BUTTONS) == "Reply 1 for Save evidence, 2 for Talk to someone."
    assert options_line([("Save evidence", "/x")]) == "Reply 1 for Save evidence."
    assert options_line([]) == ""
    assert options_line([{"title": str(i), "payload": "/x"} for i in range(12)]).endswith("9 for 8.")


def test_empty_and_huge_inputs_never_break():
    assert render(None) == "" and render("   \n\n ") == ""
    assert render("", BUTTONS) == "Reply 1 for Save evidence, 2 for Talk to someone."
    huge = render("x" * 10_000, BUTTONS, WHATSAPP)
    assert len(huge) <= WHATSAPP.limit and huge.endswith("Talk to someone.") and "x..." in huge
    silly = render("hi", [{"title": "t" * 5000, "payload": "/x"}], SMS)
    assert len(silly) <= SMS.limit


def test_compose_keeps_the_numbers_whatever_the_length():
    text = compose(["word " * 400], ["In danger? Call:", "Australia: 000"], SMS)
    assert text.endswith("In danger? Call:\nAustralia: 000") and len(text) <= SMS.limit


def test_pack_joins_while_it_fits():
    assert pack(["a", "", "b"], SMS) == ["a\n\nb"]
    assert pack(["a" * 1000, "b" * 600], SMS) == ["a" * 1000, "b" * 600]
    assert pack(["a" * 1000, "b" * 500], WHATSAPP) == ["a" * 1000 + "\n\n" + "b" * 500]
