"""The fixed-window rate limit that guards login, tokens and webhooks."""

from postmortems.ratelimit import over_limit, rate_limited


def test_hits_within_the_limit_pass_and_the_next_one_waits(monkeypatch):
    monkeypatch.setattr("postmortems.ratelimit.time.time", lambda: 1_000_020.0)
    assert [over_limit("login:10.0.0.1", limit=3, window=60) for _ in range(3)] == [None] * 3
    # 1,000,020 is 0 s into its minute (1,000,020 = 16,667 x 60): 60 s to wait.
    assert over_limit("login:10.0.0.1", limit=3, window=60) == 60
    # Another key has its own count.
    assert over_limit("login:10.0.0.2", limit=3, window=60) is None


def test_a_new_window_starts_counting_again(monkeypatch):
    clock = [1_000_020.0]
    monkeypatch.setattr("postmortems.ratelimit.time.time", lambda: clock[0])
    for _ in range(4):
        over_limit("token:abc", limit=3, window=60)
    clock[0] += 60
    assert over_limit("token:abc", limit=3, window=60) is None


def test_the_answer_is_429_with_retry_after():
    response = rate_limited(42, "Too many sign-in attempts.")
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    assert b"Try again in 42 seconds" in response.content
