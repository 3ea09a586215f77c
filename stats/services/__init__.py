"""Writes of the statistics app: the provider file import and facts from platform bookings."""
