"""Charts: Vega-Lite specs, one spec for the page and for exported reports.

Pages draw a spec in the browser with Vega-Embed; exports render the same spec to SVG on the
server. Both come from the installed ``vl-convert-python`` package (it embeds Vega, Vega-Lite and
Vega-Embed), so nothing is fetched from the internet: the browser bundle is written once into
the data directory and served as a static file through ``ChartBundleFinder``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

VEGA_LITE_VERSION = "6.4"
BUNDLE_PATH = "paceline/vendor/charts.js"
SPEC_TYPE = "application/vnd.vegalite+json"

# Draws every spec on the page, and those HTMX swaps in later.
_SNIPPET = """
function pacelineRenderCharts(root) {
  root.querySelectorAll('script[type="SPEC_TYPE"]').forEach(function (node) {
    if (node.dataset.rendered) { return; }
    node.dataset.rendered = "1";
    var target = document.createElement("div");
    target.className = "chart-view";
    target.setAttribute("role", "img");
    target.setAttribute("aria-label", node.dataset.label || "chart");
    node.parentNode.insertBefore(target, node);
    vegaEmbed(target, JSON.parse(node.textContent), {actions: false, renderer: "svg"})
      .then(function () { target.dataset.ready = "1"; });
  });
}
window.pacelineRenderCharts = pacelineRenderCharts;
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", function () { pacelineRenderCharts(document); });
} else {
  pacelineRenderCharts(document);
}
document.addEventListener("htmx:afterSettle", function (event) { pacelineRenderCharts(event.target || document); });
""".replace("SPEC_TYPE", SPEC_TYPE)


def _generated_root() -> Path:
    import vl_convert

    version = getattr(vl_convert, "__version__", "") or vl_convert.get_vega_embed_version()
    key = hashlib.sha256(f"{version}{VEGA_LITE_VERSION}{_SNIPPET}".encode()).hexdigest()[:12]
    return Path(settings.DATA_DIR) / "generated-static" / key


@functools.lru_cache(maxsize=1)
def ensure_bundle() -> Path:
    """Write the browser bundle (Vega, Vega-Lite, Vega-Embed and our snippet) once per version."""
    root = _generated_root()
    path = root / BUNDLE_PATH
    if not path.exists():
        import vl_convert

        path.parent.mkdir(parents=True, exist_ok=True)
        code = vl_convert.javascript_bundle(_SNIPPET, vl_version=VEGA_LITE_VERSION)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(code, encoding="utf-8")
        partial.replace(path)  # atomic: a concurrent reader sees the whole file or none
    return root


class ChartBundleFinder(BaseFinder):
    """A staticfiles finder for the generated chart bundle (collectstatic and tests both use it)."""

    def find(self, path: str, find_all: bool = False, **kwargs):
        if path != BUNDLE_PATH:
            return [] if find_all else None
        found = str(ensure_bundle() / BUNDLE_PATH)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=str(ensure_bundle()))
        yield BUNDLE_PATH, storage

    def check(self, **kwargs):
        return []


def spec_json(spec: dict[str, Any]) -> str:
    """The spec as JSON safe to put inside a <script> element."""
    text = json.dumps(spec, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_svg(spec: dict[str, Any]) -> str:
    """The same spec as a static SVG, for PDFs and other exports."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION)
