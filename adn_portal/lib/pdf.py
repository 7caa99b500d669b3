"""PDFs rendered from the portal's own templates by WeasyPrint (which needs Pango: Debian's
libpango-1.0-0 and libpangoft2-1.0-0, and a font such as fonts-dejavu-core).

Nothing is fetched over the network or read from the disk but the portal's static files: a
template that names any other address (an image someone typed, a font on a CDN) renders without
it. Templates link their stylesheet with `{% static %}` as web pages do."""

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs of a rendered template resolve against this address, which is never fetched:
# the fetcher below answers it from the static files.
BASE_URL = "https://portal.invalid/"

PDF_CONTENT_TYPE = "application/pdf"


def static_file_path(name: str) -> Path | None:
    """The file behind a static name, as collected (hashed names in production) or in the
    source folders (development, tests); None for anything else."""
    name = posixpath.normpath(unquote(name)).lstrip("/")
    if not name or name.startswith("..") or "\x00" in name:
        return None
    try:
        collected = Path(staticfiles_storage.path(name))
    except NotImplementedError:  # a storage without local files
        collected = None
    if collected is not None and collected.is_file():
        return collected
    found = finders.find(name)
    return Path(found) if found else None


class StaticFilesOnly(URLFetcher):
    """Answers the portal's static files (and inline `data:` URLs); refuses everything else."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        static_prefix = urlsplit(settings.STATIC_URL).path
        if not static_prefix.startswith("/"):
            static_prefix = "/" + static_prefix
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(
            static_prefix
        ):
            raise ValueError(f"Not a static file of the portal: {url}")
        path = static_file_path(parts.path.removeprefix(static_prefix))
        if path is None:
            raise ValueError(f"No such static file: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """The template rendered to HTML (in the active language), then to PDF bytes."""
    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()
