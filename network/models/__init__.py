"""The elected officials' space ("Réseau des élus solidaires"): its home, practice sheets,
thematic dossiers, meetings and their registrations, and the regional referents."""

from .pages import DossierLink, DossierPage, MeetingPage, NetworkIndexPage, PracticeSheetPage
from .registrations import MeetingRegistration, MeetingRegistrationQuerySet
from .snippets import Referent

__all__ = [
    "DossierLink",
    "DossierPage",
    "MeetingPage",
    "MeetingRegistration",
    "MeetingRegistrationQuerySet",
    "NetworkIndexPage",
    "PracticeSheetPage",
    "Referent",
]
