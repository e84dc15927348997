"""Accounts over a real database: SQLite in a data directory and PostgreSQL by URL."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest

from service.auth.accounts import Accounts, open_accounts
from service.auth.audit_log import AuditEvent
from service.auth.principal import Permission, Role, scope_of
from service.auth.secrets import digest
from service.errors import MinutesError
from service.settings import AuthSettings, Settings

PASSWORD = "mot-mat-khau-du-dai"


@pytest.fixture(params=["sqlite", "postgresql"])
def accounts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Accounts]:
    if request.param == "sqlite":
        settings = Settings(data_dir=tmp_path)
    else:
        settings = Settings(data_dir=tmp_path, store_url=request.getfixturevalue("pg_url"))
    settings = settings.model_copy(update={"auth": AuthSettings(login_max_failures=3, login_max_failures_ip=5,
                                                                session_hours=1, session_max_hours=2)})
    acc = open_accounts(settings)
    yield acc
    acc.close()


def _raw(acc: Accounts, sql: str) -> list[tuple[object, ...]]:
    db = acc.store.db  # type: ignore[attr-defined]
    with db.tx() as cur:
        return list(db.run(cur, sql).fetchall())


def test_users_get_roles_units_and_hashed_passwords(accounts: Accounts) -> None:
    reviewer, made = accounts.add_user("Nguyễn Văn Kiểm", "reviewer", "Đảng bộ xã An Phú")
    assert made and len(made) >= 16
    clerk, none = accounts.add_user("thuky", Role.CLERK, "Đảng bộ xã An Phú / Chi bộ Thôn 1", PASSWORD)
    assert none is None
    assert reviewer.unit is not None and reviewer.unit.level == "dang_bo"
    assert clerk.unit is not None and clerk.unit.level == "chi_bo" and clerk.unit.dang_bo_key == reviewer.unit.dang_bo_key
    hashes = [row[0] for row in _raw(accounts, "SELECT password_hash FROM auth_users")]
    assert all(str(h).startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in str(h) or made in str(h) for h in hashes)
    # names compare without case and with NFC; the unit tree keeps one node per unit
    assert accounts.user("NGUYỄN VĂN KIỂM").id == reviewer.id
    assert len(accounts.store.units()) == 2
    assert accounts.unit(clerk.unit.id) == clerk.unit


@pytest.mark.parametrize("name,role,unit,code", [
    ("a", "superuser", "Đảng bộ X", "INVALID_BODY"),
    ("a", "clerk", "Đảng bộ X", "INVALID_UNIT"),  # a clerk belongs to a chi bộ
    ("a", "reviewer", None, "INVALID_UNIT"),
    ("a", "reviewer", "Đảng bộ X / Chi bộ Y / Tổ Z", "INVALID_UNIT"),
    ("a", "reviewer", "0123456789ab", "UNIT_NOT_FOUND"),  # a unit id that is not in the tree
])
def test_bad_users_are_refused_with_a_code(accounts: Accounts, name: str, role: str, unit: str | None,
                                           code: str) -> None:
    with pytest.raises(MinutesError) as e:
        accounts.add_user(name, role, unit, PASSWORD)
    assert e.value.code.value == code
    assert accounts.store.count_users() == 0


def test_duplicate_names_and_short_passwords_are_refused(accounts: Accounts) -> None:
    accounts.add_user("thuky", "admin", None, PASSWORD)
    with pytest.raises(MinutesError) as dup:
        accounts.add_user("THUKY", "admin", None, PASSWORD)
    assert dup.value.code.value == "USER_EXISTS" and dup.value.status == 409
    with pytest.raises(MinutesError) as short:
        accounts.add_user("khac", "admin", None, "ngan")
    assert short.value.code.value == "INVALID_PASSWORD"


def test_keys_are_stored_hashed_work_once_revoked_fail(accounts: Accounts) -> None:
    user, _ = accounts.add_user("tool", "reviewer", "Đảng bộ xã An Phú", PASSWORD)
    info, key = accounts.create_key(user, label="phần mềm huyện")
    stored = _raw(accounts, "SELECT id, secret_hash FROM auth_keys")
    assert stored == [(info.id, digest(key.split("_", 2)[2]))]
    assert key not in str(stored)
    who = accounts.by_key(key)
    assert who.user is not None and who.user.id == user.id and who.via == "key" and who.can(Permission.EXPORT)
    assert not who.can(Permission.UPLOAD)
    for forged in (key[:-1] + ("A" if key[-1] != "A" else "B"), "mk_" + info.id + "_x", "not-a-key", key + "x"):
        with pytest.raises(MinutesError) as bad:
            accounts.by_key(forged)
        assert bad.value.code.value == "INVALID_CREDENTIALS" and bad.value.status == 401
    accounts.revoke_key(info.id, by=user)
    with pytest.raises(MinutesError):
        accounts.by_key(key)


def test_keys_and_sessions_expire(accounts: Accounts) -> None:
    user, _ = accounts.add_user("tool", "admin", None, PASSWORD)
    _, key = accounts.create_key(user, expires_days=1)
    principal, token = accounts.sign_in("tool", PASSWORD, ip="10.0.0.1")
    assert accounts.by_session(token).user == principal.user
    now = time.time()
    with mock.patch("service.auth.accounts.now", return_value=int(now + 2 * 86400)):
        with pytest.raises(MinutesError) as k:
            accounts.by_key(key)
        assert k.value.code.value == "KEY_EXPIRED" and k.value.status == 401
        with pytest.raises(MinutesError) as s:
            accounts.by_session(token)
        assert s.value.code.value == "SESSION_EXPIRED"
    with pytest.raises(MinutesError) as gone:  # an expired session is deleted, not kept
        accounts.by_session(token)
    assert gone.value.code.value == "UNAUTHENTICATED"


def test_sign_in_is_rate_limited_and_audited(accounts: Accounts) -> None:
    accounts.add_user("thuky", "admin", None, PASSWORD)
    for _ in range(3):
        with pytest.raises(MinutesError) as e:
            accounts.sign_in("thuky", "sai-mat-khau-roi", ip="10.0.0.9")
        assert e.value.code.value == "INVALID_CREDENTIALS" and e.value.status == 401
    with pytest.raises(MinutesError) as blocked:  # even the right password waits out the pause
        accounts.sign_in("thuky", PASSWORD, ip="10.0.0.9")
    assert blocked.value.code.value == "TOO_MANY_ATTEMPTS" and blocked.value.status == 429
    assert 1 <= int(blocked.value.headers["Retry-After"]) <= 900
    # another address is not blocked by these failures
    accounts.sign_in("thuky", PASSWORD, ip="10.0.0.10")
    # an unknown name fails the same way as a wrong password
    with pytest.raises(MinutesError) as unknown:
        accounts.sign_in("khong-co", "sai-mat-khau-roi", ip="10.0.0.11")
    assert unknown.value.code.value == "INVALID_CREDENTIALS" and unknown.value.message == e.value.message
    actions = [ev.action for ev in accounts.store.events(scope=None, limit=50)[0]]
    assert actions.count("sign_in_failed") == 4 and "sign_in_blocked" in actions and "sign_in" in actions


def test_one_address_trying_many_names_is_paused(accounts: Accounts) -> None:
    accounts.add_user("thuky", "admin", None, PASSWORD)
    for i in range(5):
        with pytest.raises(MinutesError):
            accounts.sign_in(f"ten-{i}", "sai-mat-khau-roi", ip="10.0.0.7")
    with pytest.raises(MinutesError) as blocked:
        accounts.sign_in("thuky", PASSWORD, ip="10.0.0.7")
    assert blocked.value.code.value == "TOO_MANY_ATTEMPTS"


def test_first_admin_is_made_once(accounts: Accounts) -> None:
    first = accounts.ensure_first_admin()
    assert first is not None
    user, password = first
    assert user.role == Role.ADMIN and user.name == "admin"
    assert accounts.sign_in("admin", password, ip=None)[0].user == user
    assert accounts.ensure_first_admin() is None


def test_audit_events_are_scoped_like_minutes(accounts: Accounts) -> None:
    reviewer, _ = accounts.add_user("kiemtra", "reviewer", "Đảng bộ xã An Phú", PASSWORD)
    assert reviewer.unit is not None
    accounts.audit(AuditEvent(action="upload", target="m1", unit_id="aaaaaaaaaaaa",
                              dang_bo_key=reviewer.unit.dang_bo_key))
    accounts.audit(AuditEvent(action="upload", target="m2", unit_id="bbbbbbbbbbbb", dang_bo_key="đảng bộ khác"))
    mine, total = accounts.store.events(scope=scope_of(reviewer), action="upload")
    assert total == 1 and [e.target for e in mine] == ["m1"]


def test_parallel_wrong_passwords_are_counted_before_they_are_checked(accounts: Accounts) -> None:
    accounts.add_user("thuky", "admin", None, PASSWORD)
    limit = accounts.settings.login_max_failures

    def attempt(_: int) -> str:
        try:
            accounts.sign_in("thuky", "sai-mat-khau-roi", ip="10.0.0.20")
        except MinutesError as e:
            return e.code.value
        return "signed_in"

    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = Counter(pool.map(attempt, range(30)))
    assert codes["INVALID_CREDENTIALS"] == limit  # only this many passwords were checked
    assert codes["TOO_MANY_ATTEMPTS"] == 30 - limit


def test_sign_in_stores_no_unknown_name_and_nothing_unbounded(accounts: Accounts) -> None:
    huge = "x" * 1_000_000
    for i in range(3):
        with pytest.raises(MinutesError) as e:
            accounts.sign_in(f"{huge}{i}", "sai-mat-khau-roi", ip="10.0.0.30")
        assert e.value.code.value == "INVALID_CREDENTIALS"
    keys = _raw(accounts, "SELECT name_key FROM auth_failures")
    assert len(keys) == 3 and all(len(str(k[0])) == 64 for k in keys)
    events = accounts.store.events(scope=None, action="sign_in_failed")[0]
    assert len(events) == 3 and all(ev.actor is None and ev.detail == {"name_known": False} for ev in events)
    longest = _raw(accounts, "SELECT MAX(LENGTH(COALESCE(actor, ''))) + MAX(LENGTH(COALESCE(detail, ''))) "
                             "FROM audit_log")
    assert int(longest[0][0]) < 100


def test_a_new_password_or_a_disabled_user_revokes_keys_and_ends_sessions(accounts: Accounts) -> None:
    accounts.add_user("quantri-chinh", "admin", None, PASSWORD)  # so that "tool" is not the last admin
    user, _ = accounts.add_user("tool", "admin", None, PASSWORD)
    _, key = accounts.create_key(user)
    _, token = accounts.sign_in("tool", PASSWORD, ip="10.0.0.40")
    assert accounts.change_password(user, PASSWORD, PASSWORD + "-moi") == 1
    for gone in (lambda: accounts.by_key(key), lambda: accounts.by_session(token)):
        with pytest.raises(MinutesError) as e:
            gone()
        assert e.value.status == 401
    _, key2 = accounts.create_key(user)
    _, token2 = accounts.sign_in("tool", PASSWORD + "-moi", ip="10.0.0.40")
    assert accounts.set_active(user, False) == 1
    assert accounts.set_active(user, True) == 0  # enabling again does not bring the key back
    for gone in (lambda: accounts.by_key(key2), lambda: accounts.by_session(token2)):
        with pytest.raises(MinutesError) as e:
            gone()
        assert e.value.status == 401
    assert all(k.revoked_at is not None for k in accounts.store.keys(user.id))


def test_unit_names_lose_bidi_and_zero_width_characters(accounts: Accounts) -> None:
    user, _ = accounts.add_user("vanthu", "clerk", "Đảng bộ xã An\u202e Phú / Chi bộ Thôn\u200b 1\u2066", PASSWORD)
    assert user.unit is not None
    assert (user.unit.dang_bo, user.unit.chi_bo) == ("Đảng bộ xã An Phú", "Chi bộ Thôn 1")
    plain = accounts.unit("Đảng bộ xã An Phú / Chi bộ Thôn 1")
    assert plain.id == user.unit.id  # the same unit, not a look-alike


def test_guessing_the_current_password_is_limited_like_sign_in(accounts: Accounts) -> None:
    user, _ = accounts.add_user("tool", "admin", None, PASSWORD)
    limit = accounts.settings.login_max_failures
    for _ in range(limit):
        with pytest.raises(MinutesError) as e:
            accounts.change_password(user, "doan-sai-mat-khau", PASSWORD + "-moi")
        assert e.value.code.value == "INVALID_CREDENTIALS"
    with pytest.raises(MinutesError) as blocked:
        accounts.change_password(user, PASSWORD, PASSWORD + "-moi")
    assert blocked.value.code.value == "TOO_MANY_ATTEMPTS" and blocked.value.status == 429


def test_two_admins_demoting_each_other_at_once_leave_one_admin(accounts: Accounts) -> None:
    _demote_each_other(accounts)


@pytest.mark.integration
def test_the_last_admin_holds_whatever_the_servers_default_isolation(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:  # a snapshot per transaction unless told otherwise
        conn.execute(f"ALTER DATABASE {pg_url.rsplit('/', 1)[1]} SET default_transaction_isolation = 'repeatable read'")
    acc = open_accounts(Settings(data_dir=tmp_path, store_url=pg_url))
    try:
        a, _ = acc.add_user("quantri-x", "admin", None, PASSWORD)
        b, _ = acc.add_user("quantri-y", "admin", None, PASSWORD)
        for u in acc.store.users():
            if u.role == Role.ADMIN and u.id not in (a.id, b.id):
                acc.store.set_placement(u.id, Role.REVIEWER, None)
        # Hold the admins' lock so that both demotions start (and would take their snapshots) before either
        # may go on; then let them go one after the other.
        with psycopg.connect(pg_url) as holder, ThreadPoolExecutor(2) as pool:
            holder.execute("SELECT pg_advisory_xact_lock(hashtextextended('auth-admins', 0))")
            futures = [pool.submit(_try, lambda by=by, t=t: acc.place(t, "reviewer", "Đảng bộ xã An Phú", by=by))
                       for by, t in ((a, b), (b, a))]
            for _ in range(200):
                waiting = holder.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                                         ).fetchone()
                if waiting and waiting[0] == 2:
                    break
                time.sleep(0.02)
            holder.commit()
            outcomes = sorted(f.result() for f in futures)
        admins = [u for u in acc.store.users() if u.role == Role.ADMIN and u.active]
        assert outcomes == ["LAST_ADMIN", "done"] and len(admins) == 1
    finally:
        acc.close()


def _try(change: Callable[[], object]) -> str:
    try:
        change()
    except MinutesError as e:
        return e.code.value
    return "done"


def _demote_each_other(accounts: Accounts) -> None:
    for round_ in range(8):
        a, _ = accounts.add_user(f"quantri-a{round_}", "admin", None, PASSWORD)
        b, _ = accounts.add_user(f"quantri-b{round_}", "admin", None, PASSWORD)
        others = [u for u in accounts.store.users() if u.role == Role.ADMIN and u.id not in (a.id, b.id)]
        for u in others:  # only these two are admins in each round
            accounts.store.set_placement(u.id, Role.REVIEWER, None)

        def demote(pair: tuple[object, object], lock: bool = bool(round_ % 2)) -> str:
            by, target = pair
            try:
                if lock:
                    accounts.set_active(target, False, by=by)  # type: ignore[arg-type]
                else:
                    accounts.place(target, "reviewer", "Đảng bộ xã An Phú", by=by)  # type: ignore[arg-type]
            except MinutesError as e:
                return e.code.value
            return "done"

        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(demote, [(a, b), (b, a)]))
        admins = [u for u in accounts.store.users() if u.role == Role.ADMIN and u.active]
        assert outcomes == ["LAST_ADMIN", "done"] and len(admins) == 1, (round_, outcomes)


def test_the_last_admin_check_is_part_of_the_change_itself(accounts: Accounts) -> None:
    a, _ = accounts.add_user("quantri-mot", "admin", None, PASSWORD)
    b, _ = accounts.add_user("quantri-hai", "admin", None, PASSWORD)
    for u in accounts.store.users():
        if u.role == Role.ADMIN and u.id not in (a.id, b.id):
            accounts.store.set_placement(u.id, Role.REVIEWER, None)
    assert accounts.store.set_placement(a.id, Role.REVIEWER, None, keep_an_admin=True)
    assert not accounts.store.set_placement(b.id, Role.REVIEWER, None, keep_an_admin=True)
    assert not accounts.store.set_active(b.id, False, keep_an_admin=True)
    assert accounts.store.set_active(b.id, False)  # without the check, as the console's recovery may


def test_the_last_admin_is_kept_even_when_the_caller_saw_an_older_role(accounts: Accounts) -> None:
    x, _ = accounts.add_user("quantri-cu", "admin", None, PASSWORD)
    y, _ = accounts.add_user("kiem-tra-moi", "reviewer", "Đảng bộ xã An Phú", PASSWORD)  # read as a reviewer
    accounts.store.set_placement(y.id, Role.ADMIN, None)  # … then made admin elsewhere
    for u in accounts.store.users():
        if u.role == Role.ADMIN and u.id != y.id:
            accounts.store.set_active(u.id, False)  # y is now the only active admin
    for change in (lambda: accounts.place(y, "reviewer", "Đảng bộ xã An Phú"), lambda: accounts.set_active(y, False)):
        assert _try(change) == "LAST_ADMIN"
    assert [u.name for u in accounts.store.users() if u.role == Role.ADMIN and u.active] == ["kiem-tra-moi"]
    assert x.role == Role.ADMIN
