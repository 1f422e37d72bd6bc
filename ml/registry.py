"""The model registry: every trained version on disk, its card, and which version serves.

Layout under the registry's root (by default `var/ml/`):

    <model>/<version>/model.txt      LightGBM's text format (no pickle: loading runs no code)
    <model>/<version>/serving.json   what prediction needs besides the booster
    <model>/<version>/card.json      the model card (ml.card), and card.md for people
    <model>/current                  the version that serves

A version is written into a hidden folder and renamed into place, and `current` is replaced
atomically, so a reader never sees half a model. Versions are `YYYYMMDDTHHMMSSZ-<sha8>`, the
training time and the first 8 hex digits of the model file's SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.entries import Entry
from ml.card import card_markdown, card_of
from ml.errors import ModelNotTrained, RegistryDamaged, UnknownModel
from ml.trained import TrainedModel

if TYPE_CHECKING:
    import lightgbm

MODELS = ("routing", "water", "outbreak", "hotspots")
"""The city's models, in the order `civicgraph ml train` trains them."""

_VERSION = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


def check_name(name: str) -> str:
    """`name` if it is one of MODELS, else UnknownModel."""
    if name not in MODELS:
        raise UnknownModel(f"no model named {name!r}: the models are {', '.join(MODELS)}")
    return name


@dataclass(frozen=True)
class StoredModel:
    """One version in the registry: its card and serving data, its booster loaded on demand."""

    name: str
    version: str
    path: Path
    card: dict[str, Any]
    serving: dict[str, Any]
    sha256: str

    def booster(self) -> lightgbm.Booster:
        """The LightGBM booster of this version (RegistryDamaged if the file does not load)."""
        import lightgbm  # imported on first load: commands that never predict stay light

        try:
            return lightgbm.Booster(model_file=str(self.path / "model.txt"))
        except lightgbm.basic.LightGBMError as error:
            raise RegistryDamaged(f"{self.name} {self.version}: model.txt: {error}") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Registry:
    """The trained models under `root` (created on first save)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def add(self, model: TrainedModel, *, trained_at: datetime | None = None) -> StoredModel:
        """Write `model` as a new version; `promote` makes it the one that serves.

        Deploying is the caller's two steps, in this order: a `deployment_entry` in the log,
        then `promote`, so that no version ever serves without its log entry.
        """
        name = check_name(model.name)
        trained_at = trained_at or datetime.now(UTC)
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
        try:
            model.booster.save_model(str(staging / "model.txt"))
            card = card_of(model, trained_at)
            (staging / "serving.json").write_text(json.dumps(model.serving, ensure_ascii=False))
            (staging / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2))
            (staging / "card.md").write_text(card_markdown(card))
            digest = _sha256(staging / "model.txt")
            version = f"{trained_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{digest[:8]}"
            target = folder / version
            if target.exists():  # the same model trained twice in one second
                shutil.rmtree(staging)
            else:
                staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self.load(name, version)

    def _point(self, name: str, version: str) -> None:
        pointer = self.root / name / "current"
        fd, temporary = tempfile.mkstemp(prefix=".current-", dir=pointer.parent)
        with os.fdopen(fd, "w") as file:
            file.write(version + "\n")
        os.replace(temporary, pointer)

    def versions(self, name: str) -> list[str]:
        """Every version of `name`, oldest first."""
        folder = self.root / check_name(name)
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if _VERSION.match(p.name) and p.is_dir())

    def current_version(self, name: str) -> str | None:
        """The version that serves, or None when `name` was never trained."""
        pointer = self.root / check_name(name) / "current"
        try:
            version = pointer.read_text().strip()
        except FileNotFoundError:
            return None
        if not _VERSION.match(version):
            raise RegistryDamaged(f"{pointer} names no version: {version[:40]!r}")
        return version

    def load(self, name: str, version: str | None = None) -> StoredModel:
        """The serving version of `name` (or `version`); ModelNotTrained when there is none."""
        version = version or self.current_version(name)
        if version is None:
            raise ModelNotTrained(name)
        if not _VERSION.match(version):
            raise UnknownModel(f"{version[:40]!r} is not a model version")
        path = self.root / name / version
        if not path.is_dir():
            raise RegistryDamaged(f"{name} has no version {version}")
        try:
            card = json.loads((path / "card.json").read_text())
            serving = json.loads((path / "serving.json").read_text())
            digest = _sha256(path / "model.txt")
        except (OSError, ValueError) as error:
            raise RegistryDamaged(f"{name} {version}: {error}") from None
        return StoredModel(name, version, path, card, serving, digest)

    def promote(self, name: str, version: str) -> StoredModel:
        """Make `version` of `name` the one that serves (a new one, or a rollback)."""
        stored = self.load(check_name(name), version)
        self._point(name, version)
        return stored


def deployment_entry(stored: StoredModel, *, by: str) -> Entry:
    """The log entry that a version now serves: `model.deployed` about `model:<name>`.

    The body names the version, the SHA-256 of its model file and of its card, who deployed it
    and each metric beside its baselines as decimal strings (a log entry holds no floats).
    """
    card_digest = _sha256(stored.path / "card.json")
    metrics = {
        m["metric"]: {
            "model": f"{m['model']:.6g}",
            "baselines": {k: f"{v:.6g}" for k, v in m["baselines"].items()},
            "met": bool(m["met"]),
        }
        for m in stored.card.get("metrics", [])
    }
    return Entry(
        "model.deployed",
        f"model:{stored.name}",
        {
            "version": stored.version,
            "model_sha256": stored.sha256,
            "card_sha256": card_digest,
            "git_revision": str(stored.card.get("git_revision", "unknown")),
            "by": by,
            "metrics": metrics,
        },
    )
