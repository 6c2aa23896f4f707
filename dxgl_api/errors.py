"""The error codes the API answers with: the reference's table first, then the few codes the
reference leaves unnamed (Flask's own 404/405, malformed requests, unknown overlays).

Code raises `ApiError("model_not_found")`; the one handler in `extensions` turns it (and every
other failure) into `{"error": {"code", "message", "status"}}`.
"""
from __future__ import annotations

# code -> (HTTP status, default message), in the reference's order.
REFERENCE_CODES: dict[str, tuple[int, str]] = {
    "unauthorized": (401, "Missing, invalid, or revoked token"),
    "token_expired": (401, "Token has expired"),
    "forbidden": (403, "Account suspended"),
    "insufficient_scope": (403, "Token lacks required scope"),
    "no_file": (400, "No file in upload request"),
    "invalid_format": (400, "File is not .glb, .gltf, or .zip"),
    "invalid_url": (400, "Malformed URL"),
    "url_required": (400, "Missing url field"),
    "invalid_settings": (400, "Invalid renderSettings value"),
    "model_id_required": (400, "Missing modelId field"),
    "file_too_large": (400, "File exceeds 100 MB limit"),
    "no_credits": (402, "No render credits remaining"),
    "model_not_found": (404, "Model not found"),
    "render_not_found": (404, "Render not found"),
    "renders_required": (400, "Missing or empty renders array"),
    "too_many": (400, "Batch exceeds 100 renders"),
    "upload_limit": (429, "Free upload limit reached"),
    "video_not_found": (404, "Video not yet available"),
    "poster_not_found": (404, "Poster not yet available"),
    "thumb_not_found": (404, "Thumbnail not yet available"),
    "file_not_found": (404, "Model file not found in storage"),
    "sha256_required": (400, "Missing sha256 field"),
    "timeout": (408, "URL download timed out"),
    "internal": (500, "Internal server error"),
}

EXTRA_CODES: dict[str, tuple[int, str]] = {
    "invalid_request": (400, "Invalid request"),
    "overlay_not_found": (404, "Overlay not found"),
    "not_found": (404, "Not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "invalid_status": (409, "Render is not in a state that allows this"),
    "unsupported_media_type": (415, "Unsupported media type"),
    "range_not_satisfiable": (416, "Requested range not satisfiable"),
    "rate_limited": (429, "Too many requests"),
    "service_unavailable": (503, "Service temporarily unavailable (database or queue unreachable); retry"),
}

CODES = {**REFERENCE_CODES, **EXTRA_CODES}

# Codes for HTTP errors raised by Flask/Werkzeug themselves.
STATUS_CODES: dict[int, str] = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "timeout",
    413: "file_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal",
    503: "service_unavailable",
}


class ApiError(Exception):
    """A failure the client should see with a reference code; the message says what to fix."""

    def __init__(self, code: str, message: str | None = None, *, status: int | None = None,
                 headers: dict[str, str] | None = None):
        default_status, default_message = CODES.get(code, (400, code.replace("_", " ")))
        self.code = code
        self.message = message or default_message
        self.status = status or default_status
        self.headers = headers or {}
        super().__init__(self.message)


def status_code_for(status: int) -> str:
    """The envelope code for a bare HTTP status (Flask's own errors)."""
    if status in STATUS_CODES:
        return STATUS_CODES[status]
    return "internal" if status >= 500 else "invalid_request"
