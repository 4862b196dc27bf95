"""The Redis cache keeps one client per connection pool (onetouch.cache.ReusedClientRedisCacheClient)."""

import threading

from django.core.cache import cache


def test_every_cache_call_goes_through_the_same_client():
    """Django would make a new redis.Redis per call; the platform's cache makes one and keeps it."""
    cache.set("xin-chao", "một")
    first = cache._cache.get_client(write=True)

    assert cache.get("xin-chao") == "một"
    assert cache._cache.get_client() is first is cache._cache.get_client(write=True)


def test_threads_share_the_client_and_each_read_their_own_values():
    """A redis.Redis takes a connection from its pool per command, so threads sharing it do not mix answers."""
    cache.set_many({f"thread-{number}": number for number in range(8)})
    answers = {}

    def read(number: int) -> None:
        answers[number] = [cache.get(f"thread-{number}") for _ in range(50)]

    threads = [threading.Thread(target=read, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == {number: [number] * 50 for number in range(8)}
