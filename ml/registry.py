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
from typing import TYPE_CHECKING, Any, cast

import orjson

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


def _problem(error: OSError | ValueError | RecursionError) -> str:
    """What went wrong reading a registry file, naming the file but no folder: a damaged entry
    is said to anyone who lists the models, and the server's paths are not theirs to know."""
    if isinstance(error, OSError):
        name = Path(error.filename).name if error.filename else "a file"
        return f"{name}: {error.strerror or 'cannot be read'}"
    if isinstance(error, RecursionError):
        return "not JSON (nested too deep)"
    return f"not JSON ({error})"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def card_problem(card: object, name: str) -> str | None:
    """What is wrong with model `name`'s card.json (its shape is ml.card.card_of's), or None
    when it fits."""
    if not isinstance(card, dict):
        return "card.json is not an object"
    for key, kind in (("model", str), ("trained_at", str), ("metrics", list), ("data", dict)):
        if not isinstance(card.get(key), kind):
            return f"card.json has no {key} of the right type"
    if card["model"] != name:
        return f"card.json is the card of {card['model'][:40]!r}"
    if not isinstance(card.get("meets_targets"), bool):
        return "card.json has no meets_targets of the right type"
    try:
        datetime.fromisoformat(card["trained_at"])
    except ValueError:
        return "card.json's trained_at is not an ISO 8601 time"
    data = card["data"]
    fields: tuple[tuple[str, type], ...] = (
        ("generator", str),
        ("generator_version", str),
        ("settings", dict),
        ("train_seeds", list),
        ("eval_seeds", list),
        ("train_rows", int),
        ("eval_rows", int),
    )
    for key, expected in fields:
        if not isinstance(data.get(key), expected):
            return f"card.json's data has no {key} of the right type"
    if not all(type(seed) is int for seed in (*data["train_seeds"], *data["eval_seeds"])):
        return "card.json's seeds are not all integers"
    for metric in card["metrics"]:
        if not (
            isinstance(metric, dict)
            and isinstance(metric.get("metric"), str)
            and type(metric.get("model")) in (int, float)
            and isinstance(metric.get("baselines"), dict)
            and all(type(v) in (int, float) for v in metric["baselines"].values())
            and isinstance(metric.get("met"), bool)
        ):
            return "card.json has a metric of the wrong shape"
    return None


class Registry:
    """The trained models under `root` (created on first save)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._loaded: dict[Path, tuple[tuple[tuple[int, int], ...], StoredModel]] = {}

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
        staging.chmod(0o755)  # mkdtemp makes 0700: a server may run as another user
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
        os.chmod(temporary, 0o644)  # mkstemp makes 0600
        os.replace(temporary, pointer)

    def versions(self, name: str) -> list[str]:
        """Every version of `name`, oldest first."""
        folder = self.root / check_name(name)
        if not folder.is_dir():
            return []
        return sorted(
            p.name
            for p in folder.iterdir()
            if _VERSION.match(p.name) and (p / "model.txt").is_file()
        )

    def current_version(self, name: str) -> str | None:
        """The version that serves, or None when `name` was never trained."""
        pointer = self.root / check_name(name) / "current"
        try:
            version = pointer.read_text().strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise RegistryDamaged(f"{name}/current cannot be read: {_problem(error)}") from None
        if not _VERSION.match(version):
            raise RegistryDamaged(
                f"{name}/current names no version ({version[:40]!r}): `civicgraph ml promote "
                f"{name} VERSION` repairs it (`civicgraph ml versions {name}`)"
            )
        return version

    def load(self, name: str, version: str | None = None) -> StoredModel:
        """The serving version of `name` (or `version`); ModelNotTrained when there is none.

        RegistryDamaged when its files are missing, do not parse, have the wrong shape, or its
        model file's SHA-256 does not begin with the version's suffix (a folder copied or edited
        by hand). Loads are cached per version until one of its files changes.
        """
        version = version or self.current_version(name)
        if version is None:
            raise ModelNotTrained(name)
        if not _VERSION.match(version):
            raise UnknownModel(f"{version[:40]!r} is not a model version")
        path = self.root / name / version
        if not path.is_dir():
            raise RegistryDamaged(
                f"{name}: version {version} is not in the registry; `civicgraph ml promote "
                f"{name} VERSION` serves another (`civicgraph ml versions {name}`)"
            )
        try:
            stamp = tuple(
                (s.st_mtime_ns, s.st_size)
                for s in (
                    path.joinpath(f).stat() for f in ("model.txt", "card.json", "serving.json")
                )
            )
        except OSError as error:
            raise RegistryDamaged(f"{name} {version}: {_problem(error)}") from None
        cached = self._loaded.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        stored = self._read(name, version, path)
        self._loaded[path] = (stamp, stored)
        return stored

    def _read(self, name: str, version: str, path: Path) -> StoredModel:
        try:
            card = orjson.loads((path / "card.json").read_bytes())  # depth bounded
            serving = orjson.loads((path / "serving.json").read_bytes())
            digest = _sha256(path / "model.txt")
        except (OSError, ValueError, RecursionError) as error:
            raise RegistryDamaged(f"{name} {version}: {_problem(error)}") from None
        problem = card_problem(card, name) or (
            None if isinstance(serving, dict) else "serving.json is not an object"
        )
        if problem is None and not version.endswith(digest[:8]):
            problem = "model.txt is not the file this version was trained as (its SHA-256 differs)"
        if problem is not None:
            raise RegistryDamaged(f"{name} {version}: {problem}")
        return StoredModel(name, version, path, card, serving, digest)

    def card(self, name: str, version: str) -> dict[str, Any]:
        """The card of `version` of `name` alone (readable when its model file is not):
        RegistryDamaged when it is missing or has the wrong shape."""
        check_name(name)
        if not _VERSION.match(version):
            raise UnknownModel(f"{version[:40]!r} is not a model version")
        path = self.root / name / version / "card.json"
        try:
            card = orjson.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError) as error:
            raise RegistryDamaged(f"{name} {version}: {_problem(error)}") from None
        problem = card_problem(card, name)
        if problem is not None:
            raise RegistryDamaged(f"{name} {version}: {problem}")
        return cast(dict[str, Any], card)

    def check_writable(self) -> None:
        """RegistryDamaged unless the registry's folder can be created and written."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root):
                pass
        except OSError as error:
            raise RegistryDamaged(
                f"the model registry {self.root} cannot be written: {error.strerror}"
            ) from None

    def verified(self, name: str, version: str) -> StoredModel:
        """`version` of `name` after checking that its booster loads (what serving will do):
        RegistryDamaged otherwise. Deploy only what this returns."""
        stored = self.load(check_name(name), version)
        stored.booster()
        return stored

    def promote(self, name: str, version: str) -> StoredModel:
        """Make `version` of `name` the one that serves (a new one, or a rollback); checked by
        `verified` first, so a version that cannot serve is never pointed at."""
        stored = self.verified(name, version)
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
