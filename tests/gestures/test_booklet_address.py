"""The booklet's QR code and printed address lead to the site's public address."""

from django.core.files.storage import default_storage

import pypdfium2 as pdfium
import pytest
import zxingcpp

from gestures import services

from .conftest import add_gestures

PUBLIC = "https://tousvoisins.example"


@pytest.mark.django_db
def test_booklet_qr_code_and_printed_address_are_the_public_address(
    settings, catalogue, categories
):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC
    add_gestures(catalogue, categories, range(1, 4))
    pdf = default_storage.open(services.booklet_get(language_code="fr")).read()
    document = pdfium.PdfDocument(pdf)
    try:
        texts, codes = [], []
        for page in document:
            texts.append(page.get_textpage().get_text_range())
            codes += [code.text for code in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]
    finally:
        document.close()
    text = "".join(texts).replace("\ufffe", "-").replace("\r\n", "")
    address = f"{PUBLIC}{catalogue.url}"
    assert codes and set(codes) == {address}
    assert address in text
    assert "localhost" not in text
