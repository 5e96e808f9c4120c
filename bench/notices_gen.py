#!/usr/bin/env python3
"""Generate the vendor registry for the `notices send` bench (bench/notices.sh).

Usage: notices_gen.py OUT.csv [N]        (N defaults to 10,000)

Writes a UTF-8 CSV with the columns `notifier vendors import` reads (vendor_code,name,email,kind,notify_after):
N vendors with distinct 7-digit codes, Japanese company names (JIS X 0208, as in bench/gen_corpus.py) and
addresses @example.test. Nine in ten are construction companies (notified at once); the rest are commissioned
contractors whose notify_after has long passed, so every one of the N vendors is due and gets a notice.
One seeded generator: the same N always gives the same bytes. Only the standard library is used.
"""

import csv
import random
import sys

SEED = 20270115

PREFIXES = ["株式会社", "有限会社", "", ""]
PLACES = ["青葉", "港南", "東邦", "みなと", "三栄", "北斗", "緑川", "大和", "城南", "富士見", "多摩", "武蔵野",
          "隅田", "葛飾", "荒川", "江東", "品川", "目黒", "世田谷", "練馬", "板橋", "足立", "杉並", "中野",
          "八王子", "立川", "府中", "調布", "町田", "日野", "国分寺", "小平", "東村山", "西東京", "清瀬", "青梅"]
TRADES = ["建設", "工務店", "設備工業", "電工", "造園", "塗装", "リフォーム", "防水工業", "電設", "管工事",
          "土木", "空調サービス", "昇降機", "ビルメンテナンス", "解体工業", "内装", "左官工業", "鉄工所"]
SUFFIXES = ["株式会社", ""]


def name(rng):
    prefix = rng.choice(PREFIXES)
    body = rng.choice(PLACES) + rng.choice(TRADES)
    if prefix:
        return prefix + body
    return body + (rng.choice(SUFFIXES) or "株式会社")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: notices_gen.py OUT.csv [N]")
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) == 3 else 10_000
    rng = random.Random(SEED)
    codes = rng.sample(range(1_000_000, 10_000_000), count)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(["vendor_code", "name", "email", "kind", "notify_after"])
        for code in codes:
            commissioned = rng.random() < 0.1
            writer.writerow([
                f"{code:07d}", name(rng), f"nyusatsu.{code:07d}@example.test",
                "commissioned" if commissioned else "construction", "2020-01-15" if commissioned else "",
            ])


if __name__ == "__main__":
    main()
