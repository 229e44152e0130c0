"""Operations that are not plain CMS content, called by views, tasks, commands and the admin:
sign-up, consent, preferences, erasure, transactional emails. The mailings' are in
`mailings.services`."""

from .assisted import assisted_signup_create
from .volunteers import (
    UTM_FIELDS,
    SignupResult,
    Wording,
    volunteer_confirm,
    volunteer_email_send,
    volunteer_erase,
    volunteer_erase_finish,
    volunteer_erasure_notify,
    volunteer_export_data,
    volunteer_help_leave,
    volunteer_help_pause,
    volunteer_signup,
    volunteer_suppress,
    volunteer_unsubscribe,
    volunteer_update_preferences,
    volunteer_withdraw_consent,
    volunteers_purge,
)

__all__ = [
    "Wording",
    "SignupResult",
    "volunteer_signup",
    "assisted_signup_create",
    "volunteer_confirm",
    "volunteer_withdraw_consent",
    "volunteer_unsubscribe",
    "volunteer_suppress",
    "volunteer_help_pause",
    "volunteer_help_leave",
    "volunteer_update_preferences",
    "volunteer_export_data",
    "volunteer_erase",
    "volunteer_erase_finish",
    "volunteers_purge",
    "volunteer_email_send",
    "volunteer_erasure_notify",
    "UTM_FIELDS",
]
