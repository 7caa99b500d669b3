"""adn_portal/lib/pdf.py: the portal's templates as PDFs, with nothing fetched but static files."""

import io

import pytest
from pypdf import PdfReader
from weasyprint.urls import URLFetcher

from adn_portal.lib.pdf import BASE_URL, StaticFilesOnly, render_pdf


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# A letter naming an address on the network, a local file and a private upload.
LETTER = (
    "{% extends 'pdf/base.html' %}{% block content %}<h1>{{ heading }}</h1>"
    '<img src="https://tracker.example.org/pixel.png" alt="">'
    '<link rel="stylesheet" href="file:///etc/passwd">'
    '<img src="/media/private/secret.png" alt="">{% endblock %}'
)


def test_a_template_renders_to_a_pdf_whose_text_reads_back():
    data = render_pdf("pdf/base.html", {})
    assert data.startswith(b"%PDF-")
    assert "Agence du Numérique" in pdf_text(data)


def test_rendering_fetches_nothing_but_the_portals_static_files(monkeypatch, settings):
    loaders = [
        ("django.template.loaders.locmem.Loader", {"letter.html": LETTER}),
        "django.template.loaders.filesystem.Loader",
    ]
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "APP_DIRS": False, "OPTIONS": {"loaders": loaders}}
    ]
    asked: list[str] = []
    monkeypatch.setattr(
        URLFetcher, "fetch", lambda self, url, headers=None: asked.append(url) or 1 / 0
    )
    served: list[str] = []
    real_fetch = StaticFilesOnly.fetch

    def spy(self, url, headers=None):
        served.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(StaticFilesOnly, "fetch", spy)
    data = render_pdf("letter.html", {"heading": "Décision"})
    assert "Décision" in pdf_text(data)
    assert asked == []  # the network and the file system were never asked
    assert f"{BASE_URL}static/css/pdf.css" in served


@pytest.mark.parametrize(
    "url",
    [
        "https://tracker.example.org/pixel.png",
        "file:///etc/passwd",
        f"{BASE_URL}media/private/secret.png",
        f"{BASE_URL}static/../../pyproject.toml",
        f"{BASE_URL}static/%2e%2e/%2e%2e/pyproject.toml",
        "https://portal.invalid.example.org/static/css/pdf.css",
    ],
)
def test_the_fetcher_refuses_anything_but_a_static_file(url):
    with pytest.raises(ValueError):
        StaticFilesOnly().fetch(url)


def test_the_fetcher_serves_a_static_stylesheet_with_its_type():
    response = StaticFilesOnly().fetch(f"{BASE_URL}static/css/pdf.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
