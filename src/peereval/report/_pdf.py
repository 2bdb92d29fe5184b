"""The report as a PDF, printed by headless Chromium from the HTML report.

Chromium prints the very page the browser tests check, through its print stylesheet
(A4, a page break before each section, headings kept with what follows, table headers
repeated, figures not split), so the PDF and the screen cannot drift apart. It is a
Debian package that CI installs anyway for those tests; WeasyPrint would add a second
layout engine (with its own CSS support) and the Pango libraries beside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from peereval.errors import PeerevalError

__all__ = ["find_chromium", "write_pdf"]

#: Where Debian and other distributions put the browser binary (before its wrappers).
_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser",
               "/usr/bin/google-chrome")

#: Seconds Chromium may take to print the report.
TIMEOUT = 180


def find_chromium() -> str | None:
    """The Chromium binary: ``PEEREVAL_CHROMIUM`` when set, else a usual place or PATH."""
    chosen = os.environ.get("PEEREVAL_CHROMIUM")
    if chosen:
        return chosen
    for candidate in _CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(html: str | Path, pdf: str | Path) -> Path:
    """Print the HTML report ``html`` to ``pdf`` with headless Chromium.

    Parameters
    ----------
    html
        The report.html written by :func:`peereval.report.write_report`.
    pdf
        Where to write the PDF.

    Returns
    -------
    Path
        ``pdf``.

    Raises
    ------
    PeerevalError
        When no Chromium is found, or it fails or writes nothing (its message is
        quoted).
    """
    html, pdf = Path(html), Path(pdf)
    executable = find_chromium()
    if executable is None:
        raise PeerevalError(
            "no Chromium browser was found to print the PDF",
            hint="install it (Debian/Ubuntu: apt-get install chromium) or set "
            "PEEREVAL_CHROMIUM to the browser's path; report.html prints from any browser "
            "too (File > Print)")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="peereval-chromium-") as profile:
        # The page is peereval's own file, without scripts or network requests; the
        # sandbox is off because Chromium refuses to start with it as root (CI).
        command = [executable, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                   "--disable-background-networking", f"--user-data-dir={profile}",
                   "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PeerevalError(f"Chromium could not print the PDF ({exc})",
                                file=html, hint="print report.html from a browser instead "
                                "(File > Print > Save as PDF)") from exc
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        said = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise PeerevalError(f"Chromium did not write the PDF (exit {done.returncode}: "
                            + " ".join(said) + ")", file=html,
                            hint="print report.html from a browser instead (File > Print "
                            "> Save as PDF)")
    return pdf
