#!/usr/bin/env python3
"""Independent check of a published random inspection draw (双随机、一公开).

Written only from the specification in crates/plan/src/draw.rs (module documentation and
`inputs_digest`), with the Python standard library, to show a third party can verify a draw without
tongquan. Usage: reference_draw.py DUMP.json, where the file holds {"inputs", "digest",
"commitment", "seed", "outcome"} as written by `enforcement draw --dump`. Exit status 0 when the
commitment, the digest and the outcome all check out.
"""
import hashlib
import json
import struct
import sys

MAX_TRIES = 64
GRADES = "ABCD"


def digest(inputs):
    h = hashlib.sha256(b"tongquan/draw/v1")
    spec = inputs["spec"]
    quota = spec["quota"]
    if quota["by"] == "count":
        h.update(b"\x00" + struct.pack("<Q", quota["count"]))
    else:
        h.update(b"\x01" + struct.pack("<Q", quota["permille"]))
    h.update(bytes([1 if spec["stratified"] else 0]))
    h.update(struct.pack("<Q", spec["team"]))

    def text(s):
        b = s.encode("utf-8")
        return struct.pack("<Q", len(b)) + b

    objects = sorted(inputs["objects"], key=lambda o: (o["id"], o["region"].encode(), o["grade"]))
    h.update(struct.pack("<Q", len(objects)))
    for o in objects:
        h.update(struct.pack("<q", o["id"]) + text(o["region"]) + o["grade"].encode())
    officers = sorted(inputs["officers"], key=lambda o: (o["id"], o["region"].encode()))
    h.update(struct.pack("<Q", len(officers)))
    for o in officers:
        h.update(struct.pack("<q", o["id"]) + text(o["region"]))
    recusals = sorted((r["officer"], r["object"]) for r in inputs["recusals"])
    h.update(struct.pack("<Q", len(recusals)))
    for officer, obj in recusals:
        h.update(struct.pack("<qq", officer, obj))
    return h.hexdigest()


class Stream:
    def __init__(self, seed):
        self.seed, self.block, self.words = seed, 0, []

    def word(self):
        if not self.words:
            block = hashlib.sha256(self.seed + struct.pack("<Q", self.block)).digest()
            self.words = list(struct.unpack("<4Q", block))
            self.block += 1
        return self.words.pop(0)

    def below(self, n):
        zone = 2**64 - 2**64 % n
        while True:
            x = self.word()
            if x < zone:
                return x % n


def partial_shuffle(items, k, stream):
    for i in range(k):
        j = i + stream.below(len(items) - i)
        items[i], items[j] = items[j], items[i]


def draw(inputs, seed):
    spec = inputs["spec"]
    team = spec["team"]
    objects = sorted(inputs["objects"], key=lambda o: o["id"])
    officers = sorted(inputs["officers"], key=lambda o: o["id"])
    assert objects and team >= 2
    assert len({o["id"] for o in objects}) == len(objects), "duplicate object"
    assert len({o["id"] for o in officers}) == len(officers), "duplicate officer"
    recused = {(r["officer"], r["object"]) for r in inputs["recusals"]}
    assert len(recused) == len(inputs["recusals"]), "duplicate recusal"
    n = len(objects)
    quota = spec["quota"]
    if quota["by"] == "count":
        q = quota["count"]
        assert 1 <= q <= n
    else:
        assert 1 <= quota["permille"] <= 1000
        q = max(1, (n * quota["permille"] + 500) // 1000)

    by_region = {}
    for f in officers:
        by_region.setdefault(f["region"], []).append(f["id"])

    # Eligible = officers of the region minus those of them recused for the object.
    officer_region = {f["id"]: f["region"] for f in officers}
    object_region = {o["id"]: o["region"] for o in objects}
    out = {}
    for officer, obj in recused:
        if obj in object_region and officer_region.get(officer) == object_region[obj]:
            out[obj] = out.get(obj, 0) + 1
    short = [
        o["id"] for o in objects if len(by_region.get(o["region"], [])) - out.get(o["id"], 0) < team
    ]
    assert not short, f"too few officers for {short[:10]}"

    stream = Stream(seed)
    if spec["stratified"]:
        strata = [[o for o in objects if o["grade"] == g] for g in GRADES]
        shares = [q * len(s) // n for s in strata]
        rema = [q * len(s) % n for s in strata]
        order = sorted(range(4), key=lambda g: (-rema[g], -g))
        for g in order[: q - sum(shares)]:
            shares[g] += 1
        picked = []
        for stratum, k in zip(strata, shares):
            if k:
                partial_shuffle(stratum, k, stream)
                picked += stratum[:k]
    else:
        pool = list(objects)
        partial_shuffle(pool, q, stream)
        picked = pool[:q]
    picked.sort(key=lambda o: o["id"])

    picks = []
    for o in picked:
        lst = by_region[o["region"]]
        chosen, tries = [], 0
        while len(chosen) < team and tries < MAX_TRIES:
            tries += 1
            f = lst[stream.below(len(lst))]
            if f not in chosen and (f, o["id"]) not in recused:
                chosen.append(f)
        if len(chosen) < team:
            rest = [f for f in lst if f not in chosen and (f, o["id"]) not in recused]
            k = team - len(chosen)
            partial_shuffle(rest, k, stream)
            chosen += rest[:k]
        picks.append({"object": o["id"], "officers": sorted(chosen)})
    return {"picks": picks}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    seed = bytes.fromhex(doc["seed"])
    checks = {
        "commitment": hashlib.sha256(seed).hexdigest() == doc["commitment"].lower(),
        "digest": digest(doc["inputs"]) == doc["digest"].lower(),
        "outcome": draw(doc["inputs"], seed) == doc["outcome"],
    }
    print(json.dumps({"bench": "draw", "phase": "reference_check", **checks}))
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
