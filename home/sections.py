"""What the home page gathers from the other apps. Each function returns what its section
shows, already fetched with a bounded number of queries; an empty result shows the section's
empty state. The stories, gestures and kits apps fill these in as they arrive."""


def featured_stories(*, page, request):
    """The latest published stories of the page's language (none until stories exist)."""
    return []


def gesture_of_the_month(*, page, request):
    """This month's gesture of the page's language (none until gestures exist)."""
    return None


def featured_kits(*, page, request):
    """The kits to show, those in season first (none until kits exist)."""
    return []
