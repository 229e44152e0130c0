"""The data file shipped in gestures/data/ and the checks that guard the import."""

import csv

import pytest

from gestures.importing import (
    CATEGORIES_FILE,
    GESTURE_COLUMNS,
    GESTURES_FILE,
    DataFileError,
    categories_read,
    gestures_read,
)


def _shipped():
    categories = categories_read(CATEGORIES_FILE)
    return categories, gestures_read(GESTURES_FILE, category_slugs={c.slug for c in categories})


def test_data_file_holds_exactly_100_distinct_gestures_in_both_languages():
    categories, gestures = _shipped()
    assert sorted(g.number for g in gestures) == list(range(1, 101))
    for index, language in enumerate(("fr", "en")):
        titles = {g.title[index].casefold() for g in gestures}
        descriptions = {g.description[index].casefold() for g in gestures}
        howtos = {g.howto[index].casefold() for g in gestures}
        assert len(titles) == len(descriptions) == len(howtos) == 100, language
        assert all(g.title[index] and g.description[index] and g.howto[index] for g in gestures)
    # The English is a translation, not a copy of the French.
    assert all(g.title[0] != g.title[1] for g in gestures)
    assert {g.category for g in gestures} == {c.slug for c in categories}


def test_data_file_follows_the_writing_rules():
    _categories, gestures = _shipped()
    for gesture in gestures:
        # L'heure civique: about an hour, repeatable (README: only with time = 1h).
        if gesture.heure_civique:
            assert gesture.time_needed == "1h", gesture.number
        for text in (*gesture.title, *gesture.description, *gesture.howto):
            assert " tu " not in f" {text.lower()} ", gesture.number  # vouvoiement
        assert not gesture.title[0].endswith(".")
    assert sum(g.heure_civique for g in gestures) >= 12  # enough for a year of rotation


ROW = {
    "number": "1",
    "category": "aines",
    "time": "1h",
    "audiences": "aines|isoles",
    "places": "immeuble",
    "heure_civique": "oui",
    "title_fr": "Rendre visite à une voisine âgée",
    "description_fr": "Une visite rompt la solitude.",
    "howto_fr": "Frappez à sa porte.\nProposez un thé.\nRevenez la semaine suivante.",
    "title_en": "Visit an older neighbour",
    "description_en": "A visit breaks the loneliness.",
    "howto_en": "Knock on her door.\nOffer a cup of tea.\nCome back the next week.",
}


def write_gestures(path, rows, columns=GESTURE_COLUMNS):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _errors(path):
    with pytest.raises(DataFileError) as error:
        gestures_read(path, category_slugs={"aines"})
    return error.value.messages


def test_a_valid_small_file_reads(tmp_path):
    rows = gestures_read(write_gestures(tmp_path / "g.csv", [ROW]), category_slugs={"aines"})
    assert rows[0].audiences == "aines,isoles"
    assert rows[0].heure_civique is True


def test_missing_column_names_line_1(tmp_path):
    columns = [c for c in GESTURE_COLUMNS if c != "howto_en"]
    messages = _errors(write_gestures(tmp_path / "g.csv", [ROW], columns))
    assert messages == ["g.csv, ligne 1 : colonne manquante : howto_en."]


def test_duplicate_number_names_both_lines(tmp_path):
    # The first row spans 3 lines (line breaks in the "comment faire" cells, only the
    # French and English ones: 2 + 2 breaks → lines 2 to 6), so the second starts at line 7.
    other = {**ROW, "title_fr": "Autre titre", "title_en": "Other title"}
    messages = _errors(write_gestures(tmp_path / "g.csv", [ROW, other]))
    assert messages == ["g.csv, ligne 7 : le numéro 1 est déjà utilisé ligne 2."]


@pytest.mark.parametrize("number", ["0", "101", "douze", "-3"])
def test_number_outside_1_to_100(tmp_path, number):
    messages = _errors(write_gestures(tmp_path / "g.csv", [{**ROW, "number": number}]))
    assert messages == [f"g.csv, ligne 2 : le numéro « {number} » doit être entre 1 et 100."]


def test_text_too_long(tmp_path):
    rows = [{**ROW, "description_fr": "x" * 201}]
    messages = _errors(write_gestures(tmp_path / "g.csv", rows))
    assert messages == [
        "g.csv, ligne 2 : description_fr est trop long (201 caractères, 200 au plus)."
    ]


def test_unknown_values_and_empty_cells(tmp_path):
    rows = [{**ROW, "category": "inconnue", "time": "2h", "audiences": "aines|chats"}]
    rows.append({**ROW, "number": "2", "title_fr": "", "title_en": "Other"})
    messages = _errors(write_gestures(tmp_path / "g.csv", rows))
    assert "g.csv, ligne 2 : catégorie inconnue « inconnue »." in messages
    assert "g.csv, ligne 2 : durée inconnue « 2h » (5min, 15min, 1h, plus)." in messages
    assert "g.csv, ligne 2 : valeur inconnue dans audiences : chats." in messages
    assert "g.csv, ligne 7 : cellule vide : title_fr." in messages


def test_semicolons_from_excel_are_explained(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text(";".join(GESTURE_COLUMNS) + "\r\n", encoding="utf-8")
    assert "points-virgules" in _errors(path)[0]


def test_byte_order_mark_and_windows_line_breaks_are_accepted(tmp_path):
    path = write_gestures(
        tmp_path / "g.csv", [{**ROW, "howto_fr": ROW["howto_fr"].replace("\n", "\r\n\r\n")}]
    )
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    rows = gestures_read(path, category_slugs={"aines"})
    assert rows[0].howto[0] == ROW["howto_fr"]


def test_steps_must_match_between_languages(tmp_path):
    rows = [{**ROW, "howto_en": "Knock.\nOffer tea."}]
    messages = _errors(write_gestures(tmp_path / "g.csv", rows))
    assert "(3 et 2)" in messages[0]
