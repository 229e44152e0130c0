"""The fixed vocabularies of the gestures: the values the data file and the filters use."""

from django.utils.translation import gettext_lazy as _

TIME_CHOICES = [
    ("5min", _("5 minutes")),
    ("15min", _("15 minutes")),
    ("1h", _("une heure")),
    ("plus", _("plus d'une heure")),
]
AUDIENCE_CHOICES = [
    ("aines", _("aînés")),
    ("familles", _("familles")),
    ("enfants", _("enfants")),
    ("isoles", _("personnes isolées")),
    ("voisins", _("voisins")),
    ("nouveaux-arrivants", _("nouveaux arrivants")),
    ("handicap", _("personnes handicapées")),
    ("etudiants", _("étudiants")),
]
PLACE_CHOICES = [
    ("immeuble", _("immeuble")),
    ("quartier", _("quartier")),
    ("commune", _("commune")),
]
ICON_CHOICES = [
    ("heart", _("cœur")),
    ("basket", _("panier")),
    ("chat", _("bulle de dialogue")),
    ("laptop", _("ordinateur")),
    ("tools", _("outils")),
    ("door", _("porte")),
    ("leaf", _("feuille")),
    ("book", _("livre")),
    ("sun", _("soleil")),
    ("snowflake", _("flocon")),
    ("home", _("maison")),
    ("hand", _("main tendue")),
]


def split_values(value):
    """The values of a multi-valued field, stored comma-separated ("aines,isoles")."""
    return [v for v in (value or "").split(",") if v]
