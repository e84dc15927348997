"""Make the legacy-encoded minutes of corpora/written/ from labeled Unicode ones.

Old minutes typed with .VnTime (TCVN3) or VNI-Times fonts reach the service as
text that looks like "Chi bé th«n" or "Chi boä thoân" once pasted. Each derived
minute is the source text encoded as such a paste; its labels are the source
labels, with every string passed through the same encode → decode round trip
(TCVN3 cannot carry capitals with tone marks, so they come back lower case).

usage: python corpora/tools/derive_legacy.py   (rewrites c089–c096)
"""

from __future__ import annotations

import json
from pathlib import Path

from service.nlp.legacy import decode_tcvn3, decode_vni, encode_tcvn3, encode_vni

HERE = Path(__file__).resolve().parent.parent / "written"
PLAN = [
    ("c089", "c014", "tcvn3"), ("c090", "c019", "tcvn3"), ("c091", "c023", "tcvn3"),
    ("c092", "c045", "tcvn3"), ("c093", "c021", "vni"), ("c094", "c041", "vni"),
    ("c095", "c056", "vni"), ("c096", "c062", "vni"),
]
CODECS = {"tcvn3": (encode_tcvn3, decode_tcvn3), "vni": (encode_vni, decode_vni)}


def _round(value: object, enc, dec) -> object:
    if isinstance(value, str):
        return dec(enc(value))
    if isinstance(value, list):
        return [_round(v, enc, dec) for v in value]
    return value


def main() -> None:
    for new_id, src_id, codec in PLAN:
        enc, dec = CODECS[codec]
        text = (HERE / f"{src_id}.txt").read_text(encoding="utf-8")
        label = json.loads((HERE / f"{src_id}.json").read_text(encoding="utf-8"))
        (HERE / f"{new_id}.txt").write_text(enc(text), encoding="utf-8")
        label["id"] = new_id
        label["style"] = f"{codec.upper()} legacy-font paste of {src_id}: " + label["style"]
        label["expect"] = {k: _round(v, enc, dec) for k, v in label["expect"].items()}
        (HERE / f"{new_id}.json").write_text(json.dumps(label, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")


if __name__ == "__main__":
    main()
