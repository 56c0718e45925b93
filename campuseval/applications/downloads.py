"""Stored files sent to the browser: streamed by Django, or — when settings.FILES_ACCEL_REDIRECT
is set and the file sits in local storage — handed to nginx with X-Accel-Redirect, so a 20 MB
download never holds an application worker. Permission checks stay in the views; this module
only builds the response."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def accel_prefix() -> str:
    """The nginx `internal` location that aliases MEDIA_ROOT ("" when nginx does not serve files)."""
    prefix = str(getattr(settings, "FILES_ACCEL_REDIRECT", "") or "")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return prefix


def stored_file_response(
    field: FieldFile, *, filename: str, content_type: str, as_attachment: bool
) -> HttpResponse | FileResponse:
    """`field` sent under `filename`; inline unless `as_attachment`. Both kinds carry the same
    Content-Type, Content-Disposition and nosniff."""
    prefix = accel_prefix()
    if prefix and isinstance(field.storage, FileSystemStorage):
        response: HttpResponse | FileResponse = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix + quote(field.name or "")
        disposition = content_disposition_header(as_attachment, filename)
        if disposition:
            response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            field.open("rb"), as_attachment=as_attachment, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    return response
