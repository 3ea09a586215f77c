"""Delivery of outbox events to websocket clients through the channel layer."""

from __future__ import annotations


def outbox_dispatch_pending() -> int:
    """Send every event not yet dispatched; returns how many were sent."""
    return 0
