import gzip

from django.db import transaction

import pytest

from campaign.geography.services import communes_import


@pytest.fixture(scope="module")
def france(django_db_setup, django_db_blocker):
    """The real data file, imported once per test module (~5 s) instead of once per test.

    The import runs in a transaction that is rolled back after the module's last test; each
    test's own transaction nests inside it as a savepoint, the way Django's TestCase wraps
    setUpTestData. Modules that use it should use it in every test, so that no test of theirs
    sees the data by accident.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        result = communes_import()
        yield result
        transaction.set_rollback(True)


HEADER = "kind,code,name,region,department,commune,population,postcodes\n"

SMALL_FRANCE = """\
r,11,Île-de-France,,,,,
d,75,Paris,11,,,,
d,77,Seine-et-Marne,11,,,,
d,987,Polynésie française,,,,,
c,75056,Paris,11,75,,2103778,75001 75017
c,77288,Melun,11,77,,40000,77000
c,98735,Papeete,,987,,26926,98714
a,75117,Paris 17e Arrondissement,11,75,75056,159212,75017
"""


@pytest.fixture
def small_france():
    """A few rows of the data file: a region, departments (one overseas collectivity), communes
    and a Paris arrondissement."""
    return SMALL_FRANCE


@pytest.fixture
def data_file(tmp_path):
    """Write a data file in the shipped format (see campaign/geography/data/README.md) from
    its rows, without the header; returns its path."""

    def write(rows=SMALL_FRANCE, name="communes.csv.gz"):
        path = tmp_path / name
        with gzip.open(path, "wt", encoding="utf-8") as gz:
            gz.write(HEADER + rows)
        return path

    return write
