"""Bookings from order to completion: bookings, offers and offer waves, assignments, § 16 blocks,
guidelines, the re-check against the register and guidelines, the documented exception path, and
the lifecycle every status change goes through."""
