"""Configuration read from the environment (`tolk.env`)."""

import pytest

from tolk.env import channel_layers, channel_prefix


def test_without_redis_the_layer_is_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert channel_layers()["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_redis_selects_the_pub_sub_layer_with_the_database_in_its_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TOLK_CHANNEL_PREFIX", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/3")
    layer = channel_layers()["default"]
    assert layer["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert layer["CONFIG"]["hosts"][0]["address"] == "redis://cache.internal:6379/3"
    assert layer["CONFIG"]["prefix"] == "tolk3"


@pytest.mark.parametrize(("url", "prefix"), [
    ("redis://127.0.0.1:6379/0", "tolk0"),
    ("redis://127.0.0.1:6379/12", "tolk12"),
    ("redis://127.0.0.1:6379", "tolk0"),
    ("rediss://user:secret@redis.example:6380/1", "tolk1"),
])
def test_installations_on_other_databases_get_other_prefixes(
    monkeypatch: pytest.MonkeyPatch, url: str, prefix: str
) -> None:
    monkeypatch.delenv("TOLK_CHANNEL_PREFIX", raising=False)
    assert channel_prefix(url) == prefix


def test_a_prefix_of_ones_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOLK_CHANNEL_PREFIX", "tolk-staging")
    assert channel_prefix("redis://127.0.0.1:6379/0") == "tolk-staging"
