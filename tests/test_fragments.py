"""A fragment that many readers want at the same moment is rendered once."""

import threading
import time

from django.test import RequestFactory

from postmortems import fragments


def test_simultaneous_readers_share_one_render():
    renders = []

    def render(extra: dict) -> str:
        renders.append(1)
        time.sleep(0.2)  # a slow render: the others arrive while it runs
        return f"<form>{extra['csrf_token']}</form>"

    results = []

    def read() -> None:
        request = RequestFactory().get("/")
        html = fragments.cached_fragment(
            request, incident=1, part="timeline", stamp="3-9-4", variant="", render=render
        )
        results.append(html)

    readers = [threading.Thread(target=read) for _ in range(8)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    assert len(renders) == 1
    assert len(results) == 8
    # Each reader's own token took the placeholder's place.
    assert not any(fragments.CSRF_PLACEHOLDER in html for html in results)
    assert len(set(results)) == 8


def test_new_data_is_rendered_again_and_old_data_never_comes_back():
    request = RequestFactory().get("/")
    versions = iter(["first", "second"])

    def read(stamp: str) -> str:
        return fragments.cached_fragment(
            request,
            incident=2,
            part="timeline",
            stamp=stamp,
            variant="",
            render=lambda extra: next(versions),
        )

    assert read("1-5-1") == "first"
    assert read("1-5-1") == "first"  # the same data: the same HTML, not rendered again
    # The data changed (an entry added): its stamp did too, whatever the
    # cache missed meanwhile.
    assert read("2-6-2") == "second"


def test_readers_wait_for_a_render_however_long_it_takes():
    # A 5,000-entry timeline on a busy server renders for seconds; readers who
    # stopped waiting after a fixed time would all render it again at once.
    renders = []

    def render(extra: dict) -> str:
        renders.append(1)
        time.sleep(2.5)
        return "<ol>5,000 entries</ol>"

    readers = [threading.Thread(target=_read, args=(render, "slow")) for _ in range(3)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    assert len(renders) == 1


def test_when_a_render_fails_a_waiting_reader_renders_it_instead():
    attempts = []
    results = []

    def render(extra: dict) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            time.sleep(0.2)
            raise RuntimeError("the first render broke")
        return "<ol>the entries</ol>"

    def read() -> None:
        try:
            results.append(_read(render, "broken"))
        except RuntimeError:
            results.append("error")

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
        time.sleep(0.05)  # the first takes the lock
    for thread in readers:
        thread.join()
    assert sorted(results) == ["<ol>the entries</ol>", "error"]
    assert len(attempts) == 2


def _read(render, stamp: str) -> str:
    request = RequestFactory().get("/")
    return fragments.cached_fragment(
        request, incident=3, part="timeline", stamp=stamp, variant="", render=render
    )
