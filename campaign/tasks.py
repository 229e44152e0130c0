"""What the task queue's priorities mean here (django-tasks: higher runs first, default 0)."""

# A person is waiting for this email (confirmation, welcome, a link they asked for): it goes
# before background work such as search and reference re-indexing after a bulk publish.
PERSON_WAITING = 50
