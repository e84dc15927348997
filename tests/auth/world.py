"""A small district for access tests: two đảng bộ, their chi bộ, users of every role, and minutes.

Đảng bộ xã An Phú (A) has chi bộ A1 and A2; Đảng bộ xã Bình Minh (B) has chi bộ B1.
Every unit has minutes over a few months; B's minutes carry marker words that must
never reach a caller of A (the tests search responses for them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.auth.accounts import open_accounts
from service.schema.units import unit_id, unit_key
from service.settings import Limits, SearchSettings, Settings
from tests.archive.factory import make_minute

DANG_BO_A = "Đảng bộ xã An Phú"
DANG_BO_B = "Đảng bộ xã Bình Minh"
A1, A2, B1 = "Chi bộ Thôn Đông Hòa", "Chi bộ Thôn Tây Sơn", "Chi bộ Ấp Rạch Gốc"
B_MARKER = "nuôi tôm sú trên ruộng lúa Rạch Gốc"  # a topic only B's minutes speak of
PASSWORD = "mat-khau-thu-nghiem-01"


def uid(dang_bo: str, chi_bo: str) -> str:
    return unit_id(unit_key(dang_bo, "dang_bo"), unit_key(chi_bo, "chi_bo"))


def settings_for(data_dir: Path, **auth: object) -> Settings:
    return Settings(data_dir=data_dir, search=SearchSettings(backend="memory"),
                    limits=Limits(max_upload_bytes=400_000), auth=auth or {})  # type: ignore[arg-type]


@dataclass
class World:
    app: FastAPI
    settings: Settings
    keys: dict[str, str] = field(default_factory=dict)  # user name → API key
    key_ids: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)
    minutes: dict[str, list[str]] = field(default_factory=dict)  # unit label (A1, A2, B1) → minute ids

    def h(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[user]}"}


USERS = [  # name, role, unit
    ("quantri", "admin", None),
    ("kiemtra-a", "reviewer", DANG_BO_A),
    ("kiemtra-b", "reviewer", DANG_BO_B),
    ("vanthu-a1", "clerk", f"{DANG_BO_A} / {A1}"),
    ("vanthu-a2", "clerk", f"{DANG_BO_A} / {A2}"),
    ("vanthu-b1", "clerk", f"{DANG_BO_B} / {B1}"),
]

UNITS = {"A1": (DANG_BO_A, A1), "A2": (DANG_BO_A, A2), "B1": (DANG_BO_B, B1)}


def minute_bytes(label: str, day: date, **kw: object) -> bytes:
    dang_bo, chi_bo = UNITS[label]
    topic = B_MARKER if label == "B1" else "chuyển đổi cơ cấu cây trồng trên đất trồng lúa kém hiệu quả"
    return make_minute(dang_bo=dang_bo, chi_bo=chi_bo, day=day, topic=topic, **kw).encode("utf-8")  # type: ignore[arg-type]


def build_world(data_dir: Path, **auth: object) -> World:
    settings = settings_for(data_dir, **auth)
    accounts = open_accounts(settings)
    world = World(app=create_app(settings), settings=settings)
    try:
        for name, role, unit in USERS:
            user, _ = accounts.add_user(name, role, unit, PASSWORD)
            info, key = accounts.create_key(user, label="tests")
            world.keys[name], world.key_ids[name], world.user_ids[name] = key, info.id, user.id
    finally:
        accounts.close()
    with TestClient(world.app) as c:
        for label in UNITS:
            world.minutes[label] = []
            for month, absent in ((1, []), (2, ["Lê Văn Nam"]), (4, [])):
                data = minute_bytes(label, date(2024, month, 5),
                                    excused=[(n, "ốm") for n in absent])
                r = c.post("/v1/minutes", files={"file": (f"{label}-{month}.txt", data, "text/plain")},
                           headers=world.h("quantri"))
                assert r.status_code == 201, r.text
                world.minutes[label].append(r.json()["data"][0]["id"])
    return world


def b_markers(world: World) -> list[str]:
    """Strings that identify đảng bộ B's data."""
    return [*world.minutes["B1"], uid(DANG_BO_B, B1), "Bình Minh", "BÌNH MINH", "Rạch Gốc", "RẠCH GỐC", "tôm sú"]


def a2_markers(world: World) -> list[str]:
    return [*world.minutes["A2"], uid(DANG_BO_A, A2), "Tây Sơn", "TÂY SƠN"]
