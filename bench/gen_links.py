#!/usr/bin/env python3
"""Writes NDJSON link rows for `redirector links import` or POST /v1/links, plus the campaigns.

  bench/gen_links.py --links 1000000 --campaigns 1000 --out /tmp/links.ndjson \
      --campaigns-out /tmp/campaigns.ndjson [--codes-out /tmp/codes.txt]

With --codes-out, each link gets an explicit code (8 base62 characters, unique ignoring case so
nginx's lower-casing map can load the same set) and the codes are written one per line.
Destinations are realistic (~100 bytes). Deterministic for a given --seed.
"""
import argparse
import json
import random
import string
import time

ALPHABET = string.ascii_letters + string.digits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--links", type=int, default=1_000_000)
    ap.add_argument("--campaigns", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--campaigns-out", required=True)
    ap.add_argument("--codes-out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    sent = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
    with open(args.campaigns_out, "w") as f:
        for c in range(args.campaigns):
            dest = ("https://shop%03d.brand-example.com/collections/spring-sale-2026/"
                    "products/item-%06d?ref=sms&lang=en" % (c % 1000, c))
            f.write(json.dumps({"id": "c%d" % c, "destination": dest,
                                "utm": {"source": "sms", "medium": "sms", "campaign": "c%d" % c},
                                "variants": {"A": None, "B": dest + "&v=b"}}) + "\n")
    seen = set()
    codes = open(args.codes_out, "w") if args.codes_out else None
    with open(args.out, "w") as f:
        for i in range(args.links):
            row = {"campaign": "c%d" % (i % args.campaigns), "variant": "AB"[i % 2],
                   "recipient": "r-%d" % i, "sent_at": sent}
            if codes:
                while True:
                    code = "".join(rnd.choice(ALPHABET) for _ in range(8))
                    if code.lower() not in seen:
                        seen.add(code.lower())
                        break
                row["code"] = code
                codes.write(code + "\n")
            f.write(json.dumps(row, separators=(",", ":")) + "\n")
    if codes:
        codes.close()


if __name__ == "__main__":
    main()
