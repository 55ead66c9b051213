"""Turn an uploaded or named file into report text, refusing what is not a text report."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .parser import ReportFormatError

MAX_BYTES = 2 * 1024 * 1024


def decode_report(data: bytes, name: str = "") -> str:
    """UTF-8 (with or without BOM) text of a report; ReportFormatError for binary or oversized files."""
    if len(data) > MAX_BYTES:
        raise ReportFormatError(_("%(name)s is too large for a weekly report (over 2 MB).") % {"name": name or "?"})
    if b"\x00" in data:
        raise ReportFormatError(_("%(name)s is not a text file.") % {"name": name or "?"})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportFormatError(
            _("%(name)s is not UTF-8 text (byte %(position)s).") % {"name": name or "?", "position": exc.start}
        ) from exc
