"""Customers' photos, decoded and re-encoded with Pillow before anything is stored. No Flask, no
database: bytes in, a clean JPEG and its thumbnail out, or a refusal code.

Nothing of the upload survives but its pixels: the extension and Content-Type are ignored (the
decoder decides: JPEG, PNG, WebP, and HEIC/HEIF when pillow-heif is installed), the size is
checked from the header before the pixels are decoded (decompression bombs are refused, also
Pillow's own warning counts as a refusal), EXIF orientation is applied and every piece of
metadata (EXIF with GPS, XMP, comments, colour profile after conversion to sRGB) is dropped.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

MAX_BYTES = 10 * 1024 * 1024  # per file, as sent
MAX_PIXELS = 40_000_000  # per file, as declared by its header
STORED_SIDE = 1600  # longest side of the stored image
THUMB_SIDE = 320  # longest side of the thumbnail
QUALITY, THUMB_QUALITY = 85, 80
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
CONTENT_TYPE, EXTENSION = "image/jpeg", "jpg"

_heif_ready: bool | None = None


def _pillow():
    """Pillow, imported when the first photo arrives (not by every web worker at start), with its
    own guard set to ours (a warning above the limit, an error above twice it): a warning is
    turned into a refusal where images are opened."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    return Image


def heif_supported() -> bool:
    """Register pillow-heif's opener once, if the package is installed."""
    global _heif_ready
    if _heif_ready is None:
        try:
            from pillow_heif import register_heif_opener

            register_heif_opener()
            _heif_ready = True
        except ImportError:
            _heif_ready = False
    return _heif_ready


class PhotoRefused(Exception):
    """The upload is not a photo we can take; ``code`` says why (too_large, too_many_pixels,
    not_an_image, unsupported, broken)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int
    sha256: str
    thumb: bytes
    thumb_width: int
    thumb_height: int
    thumb_sha256: str
    content_type: str = CONTENT_TYPE


def _open(raw: bytes) -> Image.Image:
    from PIL import UnidentifiedImageError

    Image = _pillow()  # noqa: N806 - the module, as Pillow names it
    formats = FORMATS if heif_supported() else FORMATS[:-1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw), formats=formats)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRefused("too_many_pixels") from None
        except UnidentifiedImageError:
            raise PhotoRefused("unsupported" if _looks_like_image(raw) else "not_an_image") from None
        except Exception:  # noqa: BLE001 - a malformed header is a refusal whatever the plugin raises
            raise PhotoRefused("broken") from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise PhotoRefused("too_many_pixels")
    return image


def _looks_like_image(raw: bytes) -> bool:
    """GIF, TIFF, BMP, AVIF...: a real picture in a format we do not take (a clearer message)."""
    head = raw[:16]
    return head.startswith((b"GIF8", b"II*\x00", b"MM\x00*", b"BM")) or head[4:12] in (b"ftypavif", b"ftypmif1")


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert by the embedded colour profile (phones write Display P3), then drop the profile."""
    from PIL import ImageCms

    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            target = ImageCms.createProfile("sRGB")
            image = ImageCms.profileToProfile(image, source, target, outputMode=image.mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """Any mode to RGB; transparency lies on white (a JPEG has no alpha)."""
    Image = _pillow()  # noqa: N806

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No exif=, icc_profile= or comment=: Pillow writes none of them unless given.
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def clean_photo(raw: bytes) -> CleanPhoto:
    """Decode ``raw`` (as sent by the customer) and return the stored image and its thumbnail.

    Raises PhotoRefused. Bounded work: at most MAX_BYTES in, MAX_PIXELS decoded (JPEGs are
    decoded at a reduced scale when they are much larger than the stored size).
    """
    from PIL import ImageOps

    Image = _pillow()  # noqa: N806
    if len(raw) > MAX_BYTES:
        raise PhotoRefused("too_large")
    if not raw:
        raise PhotoRefused("not_an_image")
    image = _open(raw)
    try:
        image.verify()  # structure and checksums, without keeping pixels
    except Exception:  # noqa: BLE001 - a corrupt file is a refusal, not an error page
        raise PhotoRefused("broken") from None
    image = _open(raw)  # verify() leaves the image unusable: open again
    try:
        if image.format == "JPEG":
            image.draft("RGB", (STORED_SIDE, STORED_SIDE))  # DCT scaling: a 40 MP photo decodes at 1/4
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)  # an animated WebP or PNG: its first frame
            image.load()
        image = ImageOps.exif_transpose(image)  # phones store the rotation in EXIF
        image = _flatten(_to_srgb(image))
    except PhotoRefused:
        raise
    except Exception:  # noqa: BLE001 - truncated or malformed pixel data
        raise PhotoRefused("broken") from None
    image.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    data = _encode(image, QUALITY)
    thumb_image = image.copy()
    thumb_image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    thumb = _encode(thumb_image, THUMB_QUALITY)
    return CleanPhoto(
        data=data,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(data).hexdigest(),
        thumb=thumb,
        thumb_width=thumb_image.width,
        thumb_height=thumb_image.height,
        thumb_sha256=hashlib.sha256(thumb).hexdigest(),
    )
