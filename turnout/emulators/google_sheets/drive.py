"""Drive API v3 as gspread drives it: files create/list/get/delete, permissions."""

from __future__ import annotations

import re
from typing import Any

from turnout.emulators.google_sheets.store import (
    FOLDER_MIME,
    SPREADSHEET_MIME,
    ApiError,
    DriveFile,
    Store,
)

DEFAULT_FILE_FIELDS = ("kind", "id", "name", "mimeType")
DEFAULT_PERMISSION_FIELDS = ("kind", "id", "type", "role")
PERMISSION_TYPES = ("user", "group", "domain", "anyone")
ROLES = ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader")

_QUOTED = r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
_CLAUSES = [
    ("mimeType", re.compile(rf"^mimeType\s*=\s*{_QUOTED}$")),
    ("mimeTypeNot", re.compile(rf"^mimeType\s*!=\s*{_QUOTED}$")),
    ("name", re.compile(rf"^name\s*=\s*{_QUOTED}$")),
    ("nameContains", re.compile(rf"^name\s+contains\s+{_QUOTED}$")),
    ("parent", re.compile(rf"^{_QUOTED}\s+in\s+parents$")),
    ("parent", re.compile(rf"^parents\s+in\s+{_QUOTED}$")),
    ("trashed", re.compile(r"^trashed\s*=\s*(true|false)()$")),
]


def drive_error(code: int, message: str, reason: str, location: str | None = None) -> ApiError:
    error: dict[str, str] = {"message": message, "domain": "global", "reason": reason}
    if location:
        error.update({"location": location, "locationType": "parameter"})
    status = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}.get(code, "")
    return ApiError(code, message, status, errors=[error])


def _split_and(query: str) -> list[str]:
    """Split a query on ` and ` outside quotes."""
    parts, current, quote = [], "", None
    index = 0
    while index < len(query):
        char = query[index]
        if quote:
            if char == "\\" and index + 1 < len(query):
                current += query[index : index + 2]
                index += 2
                continue
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif query[index : index + 5].lower() == " and ":
            parts.append(current.strip())
            current = ""
            index += 5
            continue
        current += char
        index += 1
    parts.append(current.strip())
    return [p for p in parts if p]


def parse_query(query: str) -> list[tuple[str, str]]:
    """gspread's `q` (`mimeType="..." and name = "..." and parents in "..."`) and Drive's own
    forms (`'id' in parents`, `trashed = false`) as (kind, value) pairs."""
    clauses = []
    for part in _split_and(query):
        for kind, pattern in _CLAUSES:
            match = pattern.match(part)
            if match:
                value = match.group(1) if match.group(1) is not None else match.group(2)
                clauses.append((kind, re.sub(r"\\(.)", r"\1", value or "")))
                break
        else:
            raise drive_error(400, "Invalid Value", "invalid", "q")
    return clauses


def _matches(drive_file: DriveFile, clauses: list[tuple[str, str]]) -> bool:
    for kind, value in clauses:
        if kind == "mimeType" and drive_file.mime_type != value:
            return False
        if kind == "mimeTypeNot" and drive_file.mime_type == value:
            return False
        if kind == "name" and drive_file.name != value:
            return False
        if kind == "nameContains" and value.lower() not in drive_file.name.lower():
            return False
        if kind == "parent" and value not in drive_file.parents:
            return False
        if kind == "trashed" and value == "true":
            return False
    return True


def select_fields(resource: dict[str, Any], fields: str | None, default: tuple[str, ...]):
    """Keep only the requested fields (`id,name` or, inside a list reply, `files(id,name)`)."""
    wanted = [f.strip() for f in fields.split(",")] if fields else list(default)
    if "*" in wanted:
        return dict(resource)
    return {k: v for k, v in resource.items() if k in wanted}


def _inner_fields(fields: str | None, collection: str) -> str | None:
    if not fields:
        return None
    match = re.search(rf"{collection}\(([^)]*)\)", fields)
    if match:
        return match.group(1)
    return "*" if re.search(rf"(^|,)\s*{collection}\s*(,|$)", fields) else None


def list_files(store: Store, params: dict[str, str]) -> dict[str, Any]:
    clauses = parse_query(params.get("q", ""))
    try:
        page_size = min(int(params.get("pageSize", "100")), 1000)
        offset = int(params.get("pageToken") or 0)
    except ValueError:
        raise drive_error(400, "Invalid Value", "invalid", "pageToken") from None
    with store.lock:
        found = [f for f in store.files.values() if _matches(f, clauses)]
    page = found[offset : offset + page_size]
    inner = _inner_fields(params.get("fields"), "files")
    reply: dict[str, Any] = {
        "kind": "drive#fileList",
        "incompleteSearch": False,
        "files": [select_fields(f.resource(), inner, DEFAULT_FILE_FIELDS) for f in page],
    }
    if offset + page_size < len(found):
        reply["nextPageToken"] = str(offset + page_size)
    return reply


def create_file(store: Store, body: dict[str, Any], owner: str | None) -> dict[str, Any]:
    name = body.get("name") or "Untitled"
    mime_type = body.get("mimeType") or "application/octet-stream"
    parents = body.get("parents") or []
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise drive_error(400, "Invalid Value", "invalid", "parents")
    drive_file = store.create_file(name, mime_type, parents)
    if owner:
        drive_file.permissions.append(
            {
                "kind": "drive#permission",
                "id": store.new_permission_id(),
                "type": "user",
                "role": "owner",
                "emailAddress": owner,
                "displayName": owner.split("@", 1)[0],
            }
        )
    return select_fields(drive_file.resource(), None, DEFAULT_FILE_FIELDS)


def get_file(store: Store, file_id: str, params: dict[str, str]) -> dict[str, Any]:
    drive_file = store.get_file(file_id)
    return select_fields(drive_file.resource(), params.get("fields"), DEFAULT_FILE_FIELDS)


def create_permission(
    store: Store, file_id: str, body: dict[str, Any], params: dict[str, str]
) -> dict[str, Any]:
    drive_file = store.get_file(file_id)
    kind = body.get("type")
    role = body.get("role")
    if kind not in PERMISSION_TYPES:
        raise drive_error(400, "The permission type field is required.", "required", "type")
    if role not in ROLES:
        raise drive_error(400, "The permission role field is required.", "required", "role")
    if role == "owner" and params.get("transferOwnership", "").lower() != "true":
        raise drive_error(
            403,
            "The transferOwnership parameter must be enabled when the permission role is 'owner'.",
            "forbidden",
            "transferOwnership",
        )
    permission: dict[str, Any] = {
        "kind": "drive#permission",
        "id": "anyoneWithLink" if kind == "anyone" else store.new_permission_id(),
        "type": kind,
        "role": role,
    }
    if kind in ("user", "group"):
        email = body.get("emailAddress")
        if not email or "@" not in email:
            raise drive_error(
                400,
                "The permission emailAddress field is required for type user or group.",
                "required",
                "permission.emailAddress",
            )
        permission["emailAddress"] = email
        permission["displayName"] = email.split("@", 1)[0]
    elif kind == "domain":
        if not body.get("domain"):
            raise drive_error(400, "The permission domain field is required.", "required")
        permission["domain"] = body["domain"]
    with store.lock:
        # Drive keeps one permission per principal: sharing again changes the role.
        for existing in drive_file.permissions:
            if _same_principal(existing, permission):
                existing["role"] = role
                return {k: existing[k] for k in DEFAULT_PERMISSION_FIELDS}
        drive_file.permissions.append(permission)
    return {k: permission[k] for k in DEFAULT_PERMISSION_FIELDS}


def _same_principal(first: dict[str, Any], second: dict[str, Any]) -> bool:
    if first["type"] != second["type"]:
        return False
    return first.get("emailAddress", "").lower() == second.get("emailAddress", "").lower() and (
        first.get("domain") == second.get("domain")
    )


def list_permissions(store: Store, file_id: str, params: dict[str, str]) -> dict[str, Any]:
    drive_file = store.get_file(file_id)
    try:
        page_size = min(int(params.get("pageSize", "100")), 100)
        offset = int(params.get("pageToken") or 0)
    except ValueError:
        raise drive_error(400, "Invalid Value", "invalid", "pageToken") from None
    page = drive_file.permissions[offset : offset + page_size]
    inner = _inner_fields(params.get("fields"), "permissions")
    reply: dict[str, Any] = {
        "kind": "drive#permissionList",
        "permissions": [select_fields(p, inner, DEFAULT_PERMISSION_FIELDS) for p in page],
    }
    if offset + page_size < len(drive_file.permissions):
        reply["nextPageToken"] = str(offset + page_size)
    return reply


def delete_permission(store: Store, file_id: str, permission_id: str) -> None:
    drive_file = store.get_file(file_id)
    with store.lock:
        before = len(drive_file.permissions)
        drive_file.permissions[:] = [p for p in drive_file.permissions if p["id"] != permission_id]
        if len(drive_file.permissions) == before:
            raise drive_error(
                404, f"Permission not found: {permission_id}.", "notFound", "permissionId"
            )


__all__ = ["FOLDER_MIME", "SPREADSHEET_MIME"]
