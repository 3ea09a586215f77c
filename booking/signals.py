"""Signals other apps listen to. Sent inside the transaction that makes the change."""

from django.dispatch import Signal

# Sent when a booking reaches a final state (completed, cancelled or unfilled), and again if a final
# booking is corrected. Argument: booking. The statistics app turns it into an assignment fact.
booking_finished = Signal()

# Sent when a final booking becomes active again (an unfilled booking assigned by the documented
# exception path). Argument: booking. The statistics app removes its fact until it is final again.
booking_reopened = Signal()
