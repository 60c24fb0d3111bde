"""Integration test of conversions and reports: a synthetic A/B campaign whose true numbers
this test computes itself, from what it sent, must come out of `redirector report` exactly, in
json, csv and table, with the expected winner.

Run: python3 tests/integration/report_test.py --binary build/bin/redirector
"""
import base64
import csv
import hashlib
import hmac
import io
import json
import math
import os
import random
import subprocess
import sys
import time
import unittest
import urllib.parse
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402
from daemon import Daemon  # noqa: E402

BINARY = None
TOKEN = "it-token"
SHOP_SECRET = "it-shop-secret"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
HUMAN = {"User-Agent": IPHONE, "Accept": "text/html", "Accept-Language": "en-US"}
PREVIEW = {"User-Agent": "WhatsApp/2.23.20.0 A"}
SCANNER = {"User-Agent": "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))", "Accept": "*/*"}
BOT = {"User-Agent": "curl/7.88.1", "Accept": "*/*"}


def rfc3339(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class Truth:
    """What the test did, per variant; the report must say the same."""

    def __init__(self):
        self.v = {name: dict(sent=0, hits=0, human_clicks=0, previews=0, scanners=0, bots=0,
                             conversions=0, redemptions=0, revenue=0.0)
                  for name in ("A", "B")}
        self.clickers = {"A": set(), "B": set()}
        self.converters = {"A": set(), "B": set()}
        self.unattributed = 0
        self.outside_window = 0
        self.duplicates = 0  # repeats in the log; repeats refused at the door never get there

    def convert(self, variant, recipient, value=0.0, redemption=False):
        t = self.v[variant]
        t["conversions"] += 1
        t["revenue"] += value
        t["redemptions"] += 1 if redemption else 0
        self.converters[variant].add(recipient)

    def expected(self, variant):
        t = dict(self.v[variant])
        t["unique_clickers"] = len(self.clickers[variant])
        t["converters"] = len(self.converters[variant])
        t["coupon_views"] = t["human_clicks"]  # every link of the campaign has a coupon
        t["ctr"] = t["unique_clickers"] / t["sent"]
        t["cvr"] = t["converters"] / t["sent"]
        return t


def z_test(x1, n1, x2, n2):
    p1, p2, pooled = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


class ReportTest(unittest.TestCase):
    def test_synthetic_campaign_gives_exact_numbers_and_winner(self):
        rnd = random.Random(20261127)
        truth = Truth()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        env = {"REDIRECTOR_ADMIN_TOKEN": TOKEN, "REDIRECTOR_SHOPIFY_SECRET": SHOP_SECRET}
        # Inline sweep detection off: every tap of this test comes from 127.0.0.1, and the test
        # keeps its own truth of who is a person (the sweep has its own test in flow_test).
        with Daemon(BINARY, env=env, extra_args=["--sweep-codes", "0"]) as d:
            def admin(method, path, body=None, token=TOKEN, headers=None):
                return d.admin(method, path, body, token=token)

            status, body = admin("POST", "/v1/campaigns", json.dumps({
                "id": "spring", "destination": "https://shop.example/s",
                "variants": {"A": None, "B": "https://shop.example/s2"},
                "attribution_window_hours": 24, "coupons": {"prefix": "SPR-"}}))
            self.assertEqual(status, 201, body)

            # Links: 200 per variant sent an hour ago; 10 more on A sent two days ago (their
            # conversions fall outside the 24 h window).
            rows, recipients = [], []
            for variant in ("A", "B"):
                for i in range(200):
                    recipients.append((variant, f"r-{variant}-{i}"))
            old = [("A", f"r-old-{i}") for i in range(10)]
            for variant, r in recipients:
                rows.append({"campaign": "spring", "variant": variant, "recipient": r,
                             "sent_at": rfc3339(now - timedelta(hours=1))})
            for variant, r in old:
                rows.append({"campaign": "spring", "variant": variant, "recipient": r,
                             "sent_at": rfc3339(now - timedelta(days=2))})
            status, body = admin("POST", "/v1/links", "\n".join(json.dumps(x) for x in rows))
            self.assertEqual(status, 201, body)
            made = [json.loads(line) for line in body.splitlines()]
            links = {}  # recipient → (variant, code, coupon)
            for (variant, r), m in zip(recipients + old, made):
                self.assertTrue(m["coupon"].startswith("SPR-"))
                links[r] = (variant, m["code"], m["coupon"])
                truth.v[variant]["sent"] += 1

            # Taps. Humans: 30 on A (10 of them twice), 60 on B; previews, scanners, bots on
            # others (and on some of the same links).
            click_ids = {}  # recipient → click id of their first human tap
            a_people = rnd.sample([r for v, r in recipients if v == "A"], 30)
            b_people = rnd.sample([r for v, r in recipients if v == "B"], 60)
            for r in a_people + b_people + a_people[:10]:
                variant, code, _ = links[r]
                status, headers, _ = d.tap("/" + code, headers=HUMAN)
                self.assertEqual(status, 302)
                cid = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["location"]).query)
                click_ids.setdefault(r, cid["smsclid"][0])
                truth.v[variant]["hits"] += 1
                truth.v[variant]["human_clicks"] += 1
                truth.clickers[variant].add(r)
            for kind, headers, count in (("previews", PREVIEW, 25), ("scanners", SCANNER, 15),
                                         ("bots", BOT, 5)):
                for variant, r in rnd.sample(recipients, count):
                    status, _, _ = d.tap("/" + links[r][1], headers=headers)
                    self.assertEqual(status, 302)
                    truth.v[variant]["hits"] += 1
                    truth.v[variant][kind] += 1

            # Conversions by click id (NDJSON, one order id repeated within the request).
            lines = []
            for i, r in enumerate(a_people[:8] + b_people[:30]):
                value = round(rnd.uniform(10, 100), 2)
                lines.append({"click_id": click_ids[r], "kind": "purchase", "value": value,
                              "currency": "USD", "order_id": f"o-click-{i}"})
                truth.convert(links[r][0], r, value)
            lines.append(dict(lines[0]))  # the same order again: refused, never logged
            status, body = admin("POST", "/v1/conversions",
                                 "\n".join(json.dumps(x) for x in lines))
            self.assertEqual(status, 200, body)
            self.assertEqual(body.count('"duplicate"'), 1)
            # By code, by campaign + recipient, by coupon: one object each.
            for variant, count in (("A", 2), ("B", 6)):
                pool = [r for v, r in recipients if v == variant]
                for r in rnd.sample(pool, count):
                    status, body = admin("POST", "/v1/conversions", json.dumps(
                        {"code": links[r][1], "kind": "signup"}))
                    self.assertEqual(status, 201, body)
                    truth.convert(variant, r)
                for r in rnd.sample(pool, count):
                    status, body = admin("POST", "/v1/conversions", json.dumps(
                        {"campaign": "spring", "recipient": r, "kind": "review"}))
                    self.assertEqual(status, 201, body)
                    truth.convert(variant, r)
                for i, r in enumerate(rnd.sample(pool, count)):
                    status, body = admin("POST", "/v1/conversions", json.dumps(
                        {"coupon": links[r][2].lower(), "kind": "purchase", "value": 20,
                         "currency": "USD", "order_id": f"o-coupon-{variant}-{i}"}))
                    self.assertEqual(status, 201, body)
                    truth.convert(variant, r, 20.0)
            # Coupon redemptions at the till: once each; a second try is refused.
            for r in rnd.sample([r for v, r in recipients if v == "B"], 4):
                status, body = admin("POST", f"/v1/coupons/{links[r][2]}/redeem",
                                     json.dumps({"value": 15.5, "currency": "USD"}))
                self.assertEqual(status, 201, body)
                truth.convert("B", r, 15.5, redemption=True)
                status, _ = admin("POST", f"/v1/coupons/{links[r][2]}/redeem")
                self.assertEqual(status, 409)
            # Shopify webhooks, each delivered twice (Shopify retries): one by click id in the
            # landing page, one by a discount code that is our coupon.
            rb = b_people[40]
            rc = rnd.choice([r for v, r in recipients if v == "A"])
            orders = [
                ({"id": 1001, "total_price": "49.90", "currency": "USD",
                  "landing_site": f"/landing?utm_source=sms&smsclid={click_ids[rb]}",
                  "discount_codes": [], "created_at": rfc3339(now)}, "B", rb, 49.90),
                ({"id": 1002, "total_price": "30.00", "currency": "USD", "landing_site": "/",
                  "discount_codes": [{"code": links[rc][2], "amount": "5.00"}],
                  "created_at": rfc3339(now)}, "A", rc, 30.0)]
            for order, variant, r, value in orders:
                raw = json.dumps(order).encode()
                sig = base64.b64encode(hmac.new(SHOP_SECRET.encode(), raw,
                                                hashlib.sha256).digest()).decode()
                for attempt in range(2):
                    status, body = self.shopify(d, raw, sig)
                    self.assertEqual(status, 201 if attempt == 0 else 200, body)
                truth.convert(variant, r, value)  # once: the retry was answered "duplicate"
                status, body = self.shopify(d, raw.replace(b"1", b"9", 1), sig)  # forged
                self.assertEqual(status, 401, body)
            # Outside the window: conversions on links sent two days ago.
            for variant, r in old[:3]:
                status, body = admin("POST", "/v1/conversions", json.dumps(
                    {"code": links[r][1], "kind": "purchase", "value": 99, "currency": "USD"}))
                self.assertEqual(status, 201, body)
                truth.outside_window += 1
            # A click id nobody was given.
            status, body = admin("POST", "/v1/conversions", json.dumps(
                {"click_id": "A" * 22, "kind": "signup"}))
            self.assertEqual(status, 201, body)
            truth.unattributed += 1

            # The report reads a running daemon's data (read-only).
            live = self.report(d.data_dir, "json")
            self.assertEqual(live["campaigns"][0]["campaign"], "spring")
            self.assertEqual(d.stop(), 0)
            data_dir = d.data_dir

            report = self.report(data_dir, "json")
            self.assertEqual(report, live)
            self.check_numbers(report, truth)

            csv_rows = list(csv.DictReader(io.StringIO(self.report(data_dir, "csv"))))
            self.assertEqual([row["variant"] for row in csv_rows], ["A", "B"])
            for row in csv_rows:
                want = truth.expected(row["variant"])
                for key, value in want.items():
                    self.assertAlmostEqual(float(row[key]), value, places=6, msg=key)
                self.assertEqual(row["winner"], "B")

            table = self.report(data_dir, "table")
            for name in ("A", "B"):
                t = truth.expected(name)
                cells = [str(t[k]) for k in ("sent", "hits", "human_clicks", "unique_clickers",
                                             "previews", "scanners", "bots", "conversions",
                                             "converters")] + [f"{t['revenue']:.2f}"]
                row = next(line for line in table.splitlines()
                           if line.split()[:2] == ["spring", name])
                self.assertEqual(row.split()[2:12], cells, table)
            self.assertIn("winner: B", table)
            self.assertIn(f"{truth.unattributed} unattributed, {truth.outside_window} outside",
                          table)

            # Reclassifying with today's classifier gives the stored verdicts back (the same
            # classifier) ...
            same = self.report(data_dir, "json", "--reclassify", "--sweep-codes", "100000")
            self.assertTrue(same["reclassified"])
            self.assertEqual(same["verdicts_changed"], 0)
            self.assertEqual(same["campaigns"], report["campaigns"])
            # ... and hindsight sees what the inline classifier could not: every tap of this
            # test came from 127.0.0.1, dozens of codes a second, which is a sweep.
            swept = self.report(data_dir, "json", "--reclassify")
            self.assertEqual(swept["verdicts_changed"],
                             truth.v["A"]["human_clicks"] + truth.v["B"]["human_clicks"] +
                             truth.v["A"]["bots"] + truth.v["B"]["bots"])
            for v in swept["campaigns"][0]["variants"]:
                self.assertEqual(v["human_clicks"], 0)
                self.assertEqual(v["scanners"], truth.v[v["variant"]]["scanners"] +
                                 truth.v[v["variant"]]["human_clicks"] +
                                 truth.v[v["variant"]]["bots"])

            # With a larger minimum sample, nobody wins yet.
            strict = self.report(data_dir, "json", "--min-sample", "1000")
            self.assertIsNone(strict["campaigns"][0]["ab"]["winner"])
            # A time range that ends before everything counts nothing.
            early = self.report(data_dir, "json", "--to", rfc3339(now - timedelta(days=3)))
            self.assertEqual(early["campaigns"][0]["variants"][1]["conversions"], 0)
            self.assertEqual(early["campaigns"][0]["variants"][1]["sent"], 200)

    def check_numbers(self, report, truth):
        (campaign,) = report["campaigns"]
        for got in campaign["variants"]:
            want = truth.expected(got["variant"])
            for key, value in want.items():
                self.assertAlmostEqual(got[key], value, places=6,
                                       msg=f"{got['variant']} {key}: {got[key]} != {value}")
            self.assertEqual(got["currency"], "USD")
        self.assertEqual(report["unattributed"], truth.unattributed)
        self.assertEqual(report["outside_window"], truth.outside_window)
        self.assertEqual(report["duplicates"], truth.duplicates)
        a, b = truth.expected("A"), truth.expected("B")
        p = z_test(a["converters"], a["sent"], b["converters"], b["sent"])
        ab = campaign["ab"]
        self.assertEqual(ab["control"], "A")
        self.assertLess(p, 0.05)
        self.assertAlmostEqual(ab["p_value"], p, places=9)
        self.assertEqual(ab["winner"], "B")

    def shopify(self, d, raw, sig):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", d.admin_port, timeout=30)
        try:
            conn.request("POST", "/v1/webhooks/shopify/orders", body=raw,
                         headers={"Content-Type": "application/json",
                                  "X-Shopify-Hmac-Sha256": sig,
                                  "X-Shopify-Topic": "orders/create"})
            r = conn.getresponse()
            return r.status, r.read().decode()
        finally:
            conn.close()

    def report(self, data_dir, fmt, *extra):
        r = subprocess.run([BINARY, "report", "--data-dir", data_dir, "--format", fmt, *extra],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout) if fmt == "json" else r.stdout


if __name__ == "__main__":
    daemon.main(__name__)
