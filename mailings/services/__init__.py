"""Mailings' operations, called by the admin views, tasks, commands and webhooks, one module
per concern:

- `audience.py`: who receives a mailing (`AudienceFilters`, `mailing_audience`);
- `esp.py`: the ESP's limits (`EspProfile`, `esp_profile`), retry and lease timings,
  `MailingError`;
- `outbox.py`: sending through the `Delivery` outbox (send, start, dispatch, cancel, test
  send, recover, progress);
- `tracking.py`: the ESP's tracking events (`tracking_event_record`);
- `reminder.py`: the monthly reminder (`mailing_monthly_reminder_send`)."""

from .audience import AudienceFilters, mailing_audience
from .esp import EspProfile, MailingError, esp_profile
from .outbox import (
    mailing_cancel,
    mailing_dispatch,
    mailing_failed_resend,
    mailing_progress,
    mailing_send,
    mailing_start,
    mailing_test_send,
    mailings_recover,
)
from .reminder import mailing_monthly_reminder_send
from .tracking import tracking_event_record

__all__ = [
    "AudienceFilters",
    "EspProfile",
    "MailingError",
    "esp_profile",
    "mailing_audience",
    "mailing_cancel",
    "mailing_dispatch",
    "mailing_failed_resend",
    "mailing_monthly_reminder_send",
    "mailing_progress",
    "mailing_send",
    "mailing_start",
    "mailing_test_send",
    "mailings_recover",
    "tracking_event_record",
]
