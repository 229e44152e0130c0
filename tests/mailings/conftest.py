"""The mailings' tests use the volunteers' fixtures (the geography, the sign-up page, the
mairie group): imported, not copied."""

from tests.volunteers.conftest import (  # noqa: F401 - fixtures
    _no_fill_delay,
    english_signup_page,
    geography,
    mairie_group,
    post_signup,
    signup_data,
    signup_page,
)
