"""The audit log from inside a request: who uploaded, deleted, exported, signed in.

``audit_event`` is safe to call from any route: it does nothing when the app runs
without access control (as in tests of a single router), and a failure to write
the log never fails the request it describes. ``write_event`` is the same outside a
request (the command line).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request

if TYPE_CHECKING:
    from service.auth.accounts import Accounts

from service.archive.base import MinutesStore
from service.archive.ingest import FileResult
from service.auth.audit_log import AuditEvent
from service.auth.principal import Principal, User
from service.schema.units import unit_key

log = logging.getLogger("minutes.audit")


UNSAVED = "audit-unsaved.jsonl"


def keep_aside(data_dir: Path, event: AuditEvent) -> Path:
    """Append an event the database refused to a JSON Lines file in the data directory (synced), never drop it."""
    path = data_dir / UNSAVED
    line = json.dumps({**asdict(event), "at": event.at or int(time.time())}, ensure_ascii=False) + "\n"
    with open(path, "a", encoding="utf-8") as f:
        f.write(line)
        f.flush()
        os.fsync(f.fileno())
    return path


def client_ip(request: Request) -> str | None:
    """The address the request came from, or None when it is not known."""
    return request.client.host if request.client else None


def audit_event(request: Request, action: str, *, target: str | None = None, minute_id: str | None = None,
                detail: dict[str, Any] | None = None, ok: bool = True, unit_id: str | None = None,
                dang_bo: str | None = None) -> None:
    """Record one event by the request's caller (see ``write_event``)."""
    accounts = getattr(request.app.state, "accounts", None)
    if accounts is None:
        return
    principal: Principal | None = getattr(request.state, "principal", None)
    user = principal.user if principal else None
    archive = getattr(request.app.state, "archive", None)
    write_event(accounts, request.app.state.settings.data_dir, action,
                user=user, store=archive.store if archive is not None else None, target=target,
                minute_id=minute_id, detail=detail, ok=ok, unit_id=unit_id, dang_bo=dang_bo, ip=client_ip(request))


def console_actor() -> str:
    """Who acts at the command line, as the audit log names them: the account the process runs as, then "(dòng lệnh)".

    The name comes from the process's user id, not from the environment ($USER can be set to anything).
    """
    import os
    import pwd

    try:
        return f"{pwd.getpwuid(os.getuid()).pw_name} (dòng lệnh)"
    except (KeyError, OSError):  # no name for this uid (a container)
        return "(dòng lệnh)"


def write_event(accounts: Accounts, data_dir: Path, action: str, *, user: User | None,
                store: MinutesStore | None = None, actor: str | None = None, target: str | None = None,
                minute_id: str | None = None, detail: dict[str, Any] | None = None, ok: bool = True,
                unit_id: str | None = None, dang_bo: str | None = None, ip: str | None = None) -> None:
    """Record one event by ``user`` (or by ``actor``, a name outside the accounts), at any door.

    The event is filed under the unit it concerns: ``unit_id``/``dang_bo`` when given,
    else the unit of the stored minute ``minute_id`` when ``store`` can read it, else the
    user's own unit. An event the database refuses is kept aside in the data directory.
    """
    dkey = unit_key(dang_bo, "dang_bo") if dang_bo else None
    if minute_id and unit_id is None and store is not None:
        stored = store.get(minute_id)
        if stored is not None:
            unit_id, dkey = stored.summary.unit_id, unit_key(stored.summary.dang_bo, "dang_bo")
    if unit_id is None and dkey is None and user is not None and user.unit is not None:
        unit_id, dkey = user.unit.id, user.unit.dang_bo_key
    event = AuditEvent(action=action, actor=user.name if user else actor, actor_id=user.id if user else None,
                       role=user.role.value if user else None, target=target or minute_id, unit_id=unit_id,
                       dang_bo_key=dkey, detail=detail, ip=ip, ok=ok)
    try:
        accounts.audit(event)
    except Exception:  # noqa: BLE001 - the log must not undo the work it records
        try:
            aside = keep_aside(data_dir, event)
        except OSError:
            log.critical("could not write the audit log nor keep the event aside: %s", event, exc_info=True)
            return
        log.exception("could not write the audit log; the event is kept in %s: %s", aside, event)


def upload_detail(result: FileResult, file_name: str | None) -> dict[str, Any]:
    """What the audit log keeps of one stored upload, at every door."""
    return {"file_name": file_name, "status": result.status, "replaced": result.replaced, "note": result.note}


async def record_event(request: Request, action: str, **kwargs: Any) -> None:
    """``audit_event`` for an ``async`` handler: the database write runs off the event loop."""
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(lambda: audit_event(request, action, **kwargs))
