"""What every browser test shares: Debian's Chromium, launched the same way, and numbered
screenshots of every page visited (the good ones also become the docs' pictures)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
DOC_SHOTS = ROOT / "docs" / "screenshots"


def launch(playwright):
    """Debian's Chromium, never a downloaded browser."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


class ScreenShots:
    """Numbered screenshots `<prefix>-NN-<name>.png`; with EXAM_DOC_SCREENSHOTS=1 the ones
    given a `doc` name are copied to docs/screenshots/."""

    def __init__(self, prefix: str, page=None, full_page: bool = False) -> None:
        self.prefix, self.page, self.full_page = prefix, page, full_page
        self.n = 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob(f"{prefix}-*.png"):
            old.unlink()

    def take(self, name: str, doc: str | None = None, full_page: bool | None = None) -> None:
        self.take_of(self.page, name, doc, full_page)

    def take_of(self, page, name: str, doc: str | None = None,
                full_page: bool | None = None) -> None:
        self.n += 1
        path = SHOTS / f"{self.prefix}-{self.n:02d}-{name}.png"
        page.screenshot(path=str(path),
                        full_page=self.full_page if full_page is None else full_page)
        if doc and os.environ.get("EXAM_DOC_SCREENSHOTS") == "1":
            DOC_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOC_SHOTS / doc)
