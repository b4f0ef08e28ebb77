"""The per-sender in-flight limit used by the REST and widget channels."""

from bot.channels.limits import PerSenderLimit


def test_limit_per_sender_and_release():
    limit = PerSenderLimit(limit=2)
    with limit.slot("a") as first, limit.slot("a") as second, limit.slot("a") as third, limit.slot("b") as other:
        assert (first, second, third, other) == (True, True, False, True)
    with limit.slot("a") as again:
        assert again is True  # released after the replies went out
    assert not limit._in_flight  # nothing left behind


def test_released_even_when_handling_fails():
    limit = PerSenderLimit(limit=1)
    try:
        with limit.slot("a"):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with limit.slot("a") as ok:
        assert ok
