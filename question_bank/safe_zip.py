"""Open an uploaded zip archive in memory, refusing bombs and hostile member names.

Everything is checked from the archive's directory before a single member is read: the
member count, declared sizes, compression ratios, names (`..`, absolute paths, backslashes,
drive letters, control characters, duplicates) and symbolic links. Members are then read into
memory in chunks under a running cap, so a header that understates a member's size cannot
make it inflate past what was checked. Nothing is ever written to disk.
"""
from __future__ import annotations

import io
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass

from question_bank.located import FILE
from question_bank.model import Problem

MB = 1024 * 1024
_EOCD = b"PK\x05\x06"
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Only these: zipfile inflates them in bounded steps, but hands bzip2 and LZMA a whole input
# chunk at once, whose output a lying header could make enormous before any cap applies.
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """How much an archive may hold; a member past `ratio_from` bytes may not compress
    better than `max_ratio`:1 (real images and XML stay far below; zeros do not)."""

    max_members: int = 2_000
    max_total: int = 200 * MB
    max_member: int = 50 * MB
    max_ratio: int = 100
    ratio_from: int = 1 * MB
    max_name: int = 500


DEFAULT_LIMITS = ZipLimits()


def open_zip(
    data: bytes, limits: ZipLimits = DEFAULT_LIMITS
) -> tuple[dict[str, bytes] | None, list[Problem]]:
    """The archive's files by name (directories left out), or None and every problem found."""
    count_problem = _directory_too_big(data, limits)
    if count_problem:
        return None, [count_problem]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError,
            EOFError, struct.error) as exc:
        return None, [Problem(None, FILE, f"the file is not a readable zip archive ({exc})")]
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            return None, [_too_many(len(infos), limits)]
        problems = _check_directory(infos, limits)
        if problems:
            return None, problems
        return _read_members(archive, infos, limits)


def _directory_too_big(data: bytes, limits: ZipLimits) -> Problem | None:
    """Refuse a huge central directory before zipfile builds an object per entry."""
    tail = data[-(22 + 65_535):]
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        return None                     # zipfile will say what is wrong
    entries, directory_size = struct.unpack("<HI", tail[at + 10:at + 16])
    if entries > limits.max_members:    # 0xFFFF (ZIP64) counts as too many too
        return _too_many(entries, limits)
    if directory_size > limits.max_members * (46 + 2 * limits.max_name):
        message = (f"the zip archive's directory is {directory_size:,} bytes, far more than "
                   f"{limits.max_members:,} members need; refused")
        return Problem(None, FILE, message)
    return None


def _too_many(count: int, limits: ZipLimits) -> Problem:
    shown = "65,535 or more" if count >= 0xFFFF else f"{count:,}"
    return Problem(None, FILE, f"the zip archive holds {shown} members; at most "
                               f"{limits.max_members:,} are allowed")


def _check_directory(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.orig_filename
        shown = repr(name)

        def refuse(reason: str, shown: str = shown) -> None:
            problems.append(Problem(None, FILE, f"zip member {shown}: {reason}"))

        name_problem = _name_problem(name, limits)
        if name_problem:
            refuse(name_problem)
        normal = posixpath.normpath(name).lower() if not name_problem else name
        if normal in seen:
            refuse("the archive holds this name twice")
        seen.add(normal)
        if stat.S_ISLNK(info.external_attr >> 16):
            refuse("symbolic links are not allowed")
        if info.flag_bits & 0x1:
            refuse("encrypted members are not supported")
        if info.compress_type not in _METHODS:
            refuse(f"compression method {_method_name(info.compress_type)} is not supported; "
                   "zip it again with the standard (deflate) compression")
        total += info.file_size
        if info.file_size > limits.max_member:
            refuse(f"it unpacks to {info.file_size / MB:.1f} MB; a member may be at most "
                   f"{limits.max_member // MB} MB")
        elif info.file_size > limits.ratio_from and (
            info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            refuse(f"it is compressed {ratio:,.0f} to 1 ({info.file_size / MB:.1f} MB from "
                   f"{info.compress_size:,} bytes), which only a zip bomb does; refused")
    if total > limits.max_total:
        problems.append(Problem(None, FILE, f"the zip archive unpacks to {total / MB:.1f} MB; "
                                            f"at most {limits.max_total // MB} MB are allowed"))
    return problems


def _method_name(method: int) -> str:
    names = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}
    return names.get(method, f"number {method}")


def _name_problem(name: str, limits: ZipLimits) -> str | None:
    if not name or not name.strip("/"):
        return "a member needs a name"
    if len(name) > limits.max_name:
        return f"the name is {len(name)} characters long; at most {limits.max_name} are allowed"
    if "\x00" in name:
        return "a NUL character in a name is not allowed"
    if _CONTROL.search(name):
        return "control characters in a name are not allowed"
    if "\\" in name:
        return "backslashes in a name are not allowed (use / between folders)"
    if name.startswith("/"):
        return "absolute paths are not allowed"
    if _DRIVE.match(name):
        return "drive letters are not allowed"
    if ".." in name.split("/"):
        return "'..' in a path is not allowed"
    return None


def _read_members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ZipLimits
) -> tuple[dict[str, bytes] | None, list[Problem]]:
    members: dict[str, bytes] = {}
    budget = limits.max_total
    for info in infos:
        if info.is_dir():
            continue
        cap = min(info.file_size, limits.max_member, budget)
        try:
            content = _read_capped(archive, info, cap)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                NotImplementedError, RuntimeError, LookupError) as exc:
            return None, [Problem(None, FILE, f"zip member {info.orig_filename!r} is damaged "
                                              f"and cannot be read ({exc})")]
        if content is None:
            return None, [Problem(None, FILE, f"zip member {info.orig_filename!r} holds more "
                                              "data than its header declares; refused")]
        budget -= len(content)
        members[posixpath.normpath(info.filename)] = content
    return members, []


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The member's bytes, or None as soon as it yields more than `cap`."""
    buffer = io.BytesIO()
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                return buffer.getvalue()
            if buffer.tell() + len(chunk) > cap:
                return None
            buffer.write(chunk)
