#!/usr/bin/env python3
"""A larger slide's objects from a smaller one's export, for QuPath's reader at scale (BENCHMARKS.md, issue 25).

Repeats the features of an export (a file or a folder of parts, as `tessera export qupath` writes them) on a grid of
COLUMNSxROWS copies, each shifted by the source's width and height (level-0 pixels) and given new ids (UUID v5 of the
old id and the copy), and writes them in parts of at most N objects with the source's FeatureCollection header. The
export benchmark's slides are already mosaics of one run's maps (`tessera-dev synthetic-results`), so a 5x5 repeat
of the 10,000² export has the objects of a 50,000² slide, at the density and form the exporter writes them, without
the half hour a debug build takes to export that slide.

usage: repeat_geojson.py SOURCE --grid 5x5 --shift 10000x10000 --out DIR [--objects-per-file 50000]
"""
import argparse
import json
import os
import uuid


def features(source):
    paths = [source] if os.path.isfile(source) else sorted(
        os.path.join(source, name) for name in os.listdir(source) if name.endswith(".geojson"))
    header = None
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            collection = json.load(handle)
        header = header or {key: value for key, value in collection.items() if key != "features"}
        yield from ((header, feature) for feature in collection["features"])


def shifted(coordinates, dx, dy):
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [coordinates[0] + dx, coordinates[1] + dy]
    return [shifted(c, dx, dy) for c in coordinates]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source")
    parser.add_argument("--grid", required=True, help="COLUMNSxROWS copies")
    parser.add_argument("--shift", required=True, help="WIDTHxHEIGHT of one copy, level-0 pixels")
    parser.add_argument("--out", required=True)
    parser.add_argument("--objects-per-file", type=int, default=50_000)
    arguments = parser.parse_args()
    columns, rows = map(int, arguments.grid.split("x"))
    width, height = map(int, arguments.shift.split("x"))
    os.makedirs(arguments.out, exist_ok=True)
    source = list(features(arguments.source))
    header = json.dumps(source[0][0], ensure_ascii=False, separators=(",", ":"))[:-1] + ',"features":[\n'
    part, count, handle, total = 0, 0, None, 0
    for row in range(rows):
        for column in range(columns):
            copy = row * columns + column
            for _, feature in source:
                if handle is None or count == arguments.objects_per_file:
                    if handle:
                        handle.write("\n]}\n")
                        handle.close()
                    part += 1
                    handle = open(os.path.join(arguments.out, f"repeated.part{part:04d}.geojson"), "w", encoding="utf-8")
                    handle.write(header)
                    count = 0
                copied = dict(feature)
                copied["id"] = str(uuid.uuid5(uuid.UUID(feature["id"]), str(copy)))
                geometry = dict(feature["geometry"])
                geometry["coordinates"] = shifted(geometry["coordinates"], column * width, row * height)
                copied["geometry"] = geometry
                handle.write(("" if count == 0 else ",\n") + json.dumps(copied, ensure_ascii=False, separators=(",", ":")))
                count += 1
                total += 1
    handle.write("\n]}\n")
    handle.close()
    print(f"{total} objects in {part} files of at most {arguments.objects_per_file}: {arguments.out}")


if __name__ == "__main__":
    main()
