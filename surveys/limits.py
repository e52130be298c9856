"""Input limits in one place: the services refuse past them, the forms validate them and the
pages render them (``maxlength``, ``min``, ``max``) from the form fields, never as typed numbers.
Lengths stored in a column come from the column itself."""

from __future__ import annotations


def column_length(attribute) -> int:
    """The declared length of a String column (``column_length(Task.coupon_code)`` -> 64)."""
    return attribute.property.columns[0].type.length


# Store settings: (lowest, highest) accepted
SEND_DELAY_DAYS = (0, 60)
REMINDER_DELAY_DAYS = (1, 30)
SLA_FIRST_CONTACT_HOURS = (1, 72)
SLA_RESOLUTION_HOURS = (1, 240)
# "Did we solve it?" waits this many business hours after resolution; the follow-up link
# (valid for the store's link lifetime, 30 days by default) must outlive the wait.
FOLLOWUP_DELAY_HOURS = (0, 120)
OPENS = (0, 23)
CLOSES = (1, 24)
LIST_ITEMS = 50  # holidays, alert addresses, storefront origins

# Text
TEMPLATE_SUBJECT = 200
TEMPLATE_BODY = 5000
REPLY_SUBJECT = 200
REPLY_BODY = 10000
NOTE = 5000
CONTACT_HOW = 200
REVIEW_REPLY = 2000
MODERATION_NOTE = 500
PASSWORD = (10, 1024)  # staff passwords: (shortest, longest) accepted
