"""Uploaded documents are checked by their content, not their name.
The checks are shared with other uploads: adn_portal.lib.uploads."""

from adn_portal.lib import uploads
from adn_portal.lib.uploads import ALLOWED, ALLOWED_LABEL, CheckedUpload, safe_display_name

__all__ = ["ALLOWED", "ALLOWED_LABEL", "CheckedUpload", "check_upload", "safe_display_name"]


def check_upload(upload) -> CheckedUpload:
    return uploads.check_upload(upload, folder="applications")
