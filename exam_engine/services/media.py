"""Images of a bank revision: stored with it, served only to who may see the question.

A candidate's browser cannot send its token with an <img> request, so each image reference
in a candidate's form is rewritten to a URL signed for that candidate and that revision.
Staff see images through their session.
"""
from __future__ import annotations

import re

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from exam_engine.errors import BadRequest, Forbidden, NotFound
from exam_engine.extensions import db
from exam_engine.models import Media

MAX_IMAGE_BYTES = 2 * 1024 * 1024
# Magic numbers decide the type; the file name's extension is not trusted.
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
               (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
_REF = re.compile(r"(\]\()media/([A-Za-z0-9][A-Za-z0-9._-]{0,150})(\))")

_signer: URLSafeSerializer | None = None


def init(secret: str) -> None:
    global _signer
    _signer = URLSafeSerializer(secret, salt="media")


def content_type(name: str, data: bytes) -> str:
    """The image type read from its first bytes; anything else is refused."""
    if not _NAME.match(name):
        raise BadRequest(f"media file name {name!r} is not allowed", field="media")
    if len(data) > MAX_IMAGE_BYTES:
        raise BadRequest(f"image {name} is larger than {MAX_IMAGE_BYTES // 1024} KiB",
                         field="media")
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    raise BadRequest(f"{name} is not a PNG, JPEG or GIF image", field="media")


def store(s, revision_id: int, media: dict[str, bytes]) -> None:
    """Store a revision's images inside the caller's transaction."""
    for name, data in sorted(media.items()):
        s.add(Media(revision_id=revision_id, name=name, content_type=content_type(name, data),
                    data=data))


def rewrite_for_candidate(text: str, revision_id: int, candidate_id: int) -> str:
    """Point `media/NAME` references at URLs only this candidate can open."""
    def signed(m: re.Match) -> str:
        token = _signer.dumps([candidate_id, revision_id, m.group(2)])
        return f"{m.group(1)}/media/{token}{m.group(3)}"

    return _REF.sub(signed, text) if "media/" in text else text


def rewrite_for_staff(text: str, revision_id: int) -> str:
    return _REF.sub(lambda m: f"{m.group(1)}/media/staff/{revision_id}/{m.group(2)}{m.group(3)}",
                    text) if "media/" in text else text


def by_token(token: str) -> Media:
    """The image a candidate's signed URL names."""
    try:
        _candidate_id, revision_id, name = _signer.loads(token)
    except (BadSignature, ValueError, TypeError):
        raise Forbidden("this image link is not valid") from None
    return _load(revision_id, name)


def for_staff(revision_id: int, name: str) -> Media:
    return _load(revision_id, name)


def _load(revision_id: int, name: str) -> Media:
    with db.read() as s:
        row = s.execute(select(Media).where(Media.revision_id == revision_id,
                                            Media.name == name)).scalar()
    if row is None:
        raise NotFound(f"no image {name}")
    return row
