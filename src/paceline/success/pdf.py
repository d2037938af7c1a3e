"""Printing a plan to PDF with WeasyPrint, reading nothing but our own static files.

Imported only when a PDF is asked for: WeasyPrint is large and parses its stylesheets on import,
which every command and web worker would otherwise pay at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML, URLFetcher

PRINT_CSS = "paceline/report_print.css"


def static_roots() -> list[Path]:
    """The directories our static files come from: the only files a PDF may read."""
    roots = [Path(p) for p in settings.STATICFILES_DIRS]
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location))
    roots.append(Path(settings.STATIC_ROOT))
    return sorted({root.resolve() for root in roots})


class LocalFetcher(URLFetcher):
    """Fetches ``data:`` URLs and files inside our static directories; refuses everything else."""

    def __init__(self, roots: Sequence[Path] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.roots = list(roots) if roots is not None else static_roots()

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return True
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(url2pathname(parts.path)).resolve()
        return path.is_file() and any(path.is_relative_to(root) for root in self.roots)

    def fetch(self, url, headers=None):
        if not self.allows(url):
            raise ValueError(f"Only our own static files may be read while printing, not {url[:80]}")
        return super().fetch(url, headers)


def render_pdf(html: str) -> bytes:
    static_root = finders.find(PRINT_CSS)
    base_url = Path(static_root).parent.as_uri() + "/" if static_root else None
    return HTML(string=html, base_url=base_url, url_fetcher=LocalFetcher()).write_pdf()
