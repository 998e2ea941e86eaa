#!/usr/bin/env python3
"""Tessera's exports read by QuPath's own code (scripts/check-qupath-reader runs it).

Runs `tessera run` on the fixture slide, exports its GeoJSON (regions of every class, and tiles) and a QuPath project,
and reads them with tools/qupath-reader: qupath-core v0.5.1's `PathIO.readObjects` (File > Import objects) and
`ProjectIO.loadProject` (project.qpproj and classifiers/classes.json). Checks what QuPath makes of them: the object
type of each class, `tile` objects for the tiles, the measurement names, the classes and colours, no invalid geometry,
and the project's image entries and classes; and, on a Leica slide with OpenSlide bounds, that objects are written in
the frame QuPath's OpenSlide server shows (level-0 less the bounds offset). Standard library only. Exits non-zero on any failure.

usage: check_qupath_reader.py TESSERA_BINARY SLIDE BOUNDS_SLIDE
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
READER = os.path.join(HERE, "qupath-reader", "run")
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, file=sys.stderr)


def expect(condition, message):
    if not condition:
        fail(message)


def run(*arguments):
    result = subprocess.run(list(arguments), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(arguments)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def read_objects(path):
    return json.loads(run(READER, "objects", path))


def check_cmu(tessera, slide, work):
    out = os.path.join(work, "run")
    run(tessera, "run", slide, "--out", out, "--mpp", "1", "--tile", "128", "--overlap", "16", "--quiet")
    results = os.path.join(out, "results.sqlite")
    database = sqlite3.connect(results)
    (slide_run,) = database.execute("SELECT id FROM slide_runs").fetchone()
    (stored_tiles,) = database.execute("SELECT COUNT(*) FROM tiles WHERE slide_run_id = ?", (slide_run,)).fetchone()
    classes = [name for _, name in database.execute("SELECT class_index, name FROM classes ORDER BY class_index")]

    summary = json.loads(run(tessera, "export", "geojson", results, "--out", os.path.join(work, "geojson"),
                             "--objects", "both", "--classes", ",".join(classes), "--json"))
    exported = summary["slides"][0]
    path = exported["file"]
    # Aperio states no bounds: QuPath's frame is level-0, as before.
    with open(path, encoding="utf-8") as handle:
        frame = json.load(handle)["tessera"]["qupath_frame"]
    expect(frame == {"offset": [0, 0], "source": "no-bounds"}, f"CMU's frame {frame}")
    read = read_objects(path)
    print(f"  QuPath {read['qupath_core_version']} read {read['objects']} objects in {read['read_seconds']:.2f} s, "
          f"live heap {read['heap_live_bytes'] / 2**20:.1f} MiB")
    expect(read["qupath_core_version"] == "0.5.1", f"reader version {read['qupath_core_version']}")
    expect(read["invalid_geometries"] == 0, f"{read['invalid_geometries']} invalid geometries")
    types = read["types"]
    expect(set(types) == {"annotation", "detection", "tile"}, f"object types {sorted(types)}")

    # Each class's regions arrive as the type Tessera chose: nuclei detections, the stroma compartment and
    # background (QuPath's Ignore*) annotations; every region counted.
    written = {c["name"]: c["regions_written"] for c in exported["classes"]}
    expected = {"nuclei": ("detection", "nuclei", [59, 76, 192]),
                "eosin-stroma": ("annotation", "eosin-stroma", None),
                "background": ("annotation", "Ignore*", [180, 180, 180])}
    for name, (object_type, qupath_name, colour) in expected.items():
        group = types.get(object_type, {}).get(qupath_name)
        if group is None:
            fail(f"no {object_type} of class {qupath_name} (Tessera class {name})")
            continue
        expect(group["count"] == written[name], f"{qupath_name}: {group['count']} {object_type}s, exported {written[name]}")
        expect(group["locked"] == group["count"], f"{qupath_name}: {group['locked']} of {group['count']} locked")
        if colour:
            expect(group["color"] == colour, f"{qupath_name}: colour {group['color']}, expected {colour}")
        print(f"  {name}: {group['count']} {object_type}s of class {qupath_name} {group['color']}, "
              f"{group['with_holes']} with holes")
    expect(types["detection"].keys() == {"nuclei"}, f"detection classes {sorted(types['detection'])}")

    # The slide QC's artefact regions: locked annotations of a class derived from QuPath's Ignore* and named after
    # the kind, which QuPath itself takes as ignored (its base class), as many as the export wrote of each kind.
    qc_written = {q["kind"]: q["regions"] for q in exported.get("qc", [])}
    expect(set(qc_written) == {"pen", "blur", "fold", "bubble_edge"}, f"QC kinds exported {sorted(qc_written)}")
    qc_colours = {"pen": [31, 78, 216], "blur": [224, 138, 0], "fold": [176, 30, 142], "bubble_edge": [0, 165, 165]}
    for kind, count in qc_written.items():
        name = "Ignore*: " + kind.replace("_", " ").capitalize()
        group = types.get("annotation", {}).get(name)
        if count == 0:
            expect(group is None, f"{name}: annotations read where none were exported")
            continue
        if group is None:
            fail(f"no annotation of class {name} ({count} QC regions exported)")
            continue
        expect(group["count"] == count and group["locked"] == count,
               f"{name}: {group['count']} annotations ({group['locked']} locked), exported {count}")
        expect(group.get("base_class") == "Ignore*" and group.get("ignored") is True,
               f"{name}: base class {group.get('base_class')}, ignored {group.get('ignored')}")
        expect(group["color"] == qc_colours[kind], f"{name}: colour {group['color']}, expected {qc_colours[kind]}")
        print(f"  QC {kind}: {group['count']} annotations of class {name} (base Ignore*, ignored by QuPath) {group['color']}")
    expect(sum(qc_written.values()) > 0, "CMU-1-Small-Region's QC exported no region")

    # Tiles are QuPath tiles (what "Tile classifications to annotations" works on), one per stored tile.
    tiles = sum(group["count"] for group in types["tile"].values())
    expect(tiles == stored_tiles == exported["tiles"], f"{tiles} tile objects, {stored_tiles} stored tiles")
    expect("background" not in types["tile"], "a tile is classified background, not Ignore*")
    print(f"  tiles: {tiles} tile objects, by class {({k: v['count'] for k, v in types['tile'].items()})}")

    # Measurement names: Tessera's prefix only, never one of QuPath's live names ("Area µm^2"). Annotations
    # (compartments, drawn with the nuclei they enclose filled in) also carry the outline's area and the holes filled;
    # QC annotations have their area and kind value, not a mean probability.
    region_names = {"Tessera: area µm^2", "Tessera: mean probability"}
    filled_names = {"Tessera: area incl. enclosed detections µm^2", "Tessera: holes filled by detections"}
    qc_names = {"Tessera: area µm^2", "Tessera: QC kind value"}
    tile_names = {"Tessera: tissue fraction"} | {f"Tessera: {c} {m}" for c in classes for m in ("fraction", "mean probability")}
    qc_count = sum(qc_written.values())
    for object_type, names in read["measurements"].items():
        wanted = {"tile": tile_names, "annotation": region_names | filled_names | qc_names}.get(object_type, region_names)
        expect(set(names) == wanted, f"{object_type} measurements {sorted(names)}, expected {sorted(wanted)}")
        count = sum(group["count"] for group in types[object_type].values())
        if object_type == "annotation":
            expected_counts = {"Tessera: area µm^2": count, "Tessera: QC kind value": qc_count}
            expected_counts.update({name: count - qc_count for name in region_names | filled_names if name not in qc_names})
            expect(names == expected_counts, f"annotation measurement counts {names}, expected {expected_counts}")
        else:
            expect(all(n == count for n in names.values()), f"{object_type}: not every object has every measurement")
    print(f"  measurements: {sorted(region_names)} on detections, {sorted(filled_names)} more on compartment "
          f"annotations, {sorted(qc_names)} on QC annotations, {len(tile_names)} on tiles")

    # The compartments hold their nuclei: QuPath's own resolveHierarchy (what the project script runs) makes most
    # nucleus detections children of the stroma annotation they sit in. Before the holes were filled, a nucleus sat
    # in a hole of the stroma, outside it, and stayed at the root.
    filled = next(c["holes_filled"] for c in exported["classes"] if c["name"] == "eosin-stroma")
    resolved = json.loads(run(READER, "hierarchy", path))
    nuclei_parents = resolved["parents"].get("detection/nuclei", {})
    in_stroma = nuclei_parents.get("annotation/eosin-stroma", 0)
    expect(filled > 0 and in_stroma >= filled,
           f"{filled} holes filled, but only {in_stroma} nuclei are children of stroma ({nuclei_parents})")
    print(f"  hierarchy (QuPath's resolveHierarchy, {resolved['resolve_seconds']:.2f} s): nuclei under "
          f"{nuclei_parents}; {filled} holes of stroma filled by nuclei")

    # Split into files of at most 100 objects, read one after another as the project's script does: the same objects.
    split = json.loads(run(tessera, "export", "geojson", results, "--out", os.path.join(work, "split"), "--objects", "both",
                           "--classes", ",".join(classes), "--objects-per-file", "100", "--json"))["slides"][0]
    parts = split["files"]
    expect(len(parts) == -(-read["objects"] // 100) and all(".part" in p for p in parts), f"parts {parts}")
    together = json.loads(run(READER, "objects", *parts))
    expect(together["objects"] == read["objects"] and together["invalid_geometries"] == 0
           and {t: {c: g["count"] for c, g in v.items()} for t, v in together["types"].items()}
           == {t: {c: g["count"] for c, g in v.items()} for t, v in types.items()},
           f"{len(parts)} parts read as {together['objects']} objects, one file as {read['objects']}")
    print(f"  split into {len(parts)} files of at most 100 objects: the same {together['objects']} objects")

    # The project: QuPath's DefaultProject reads the image entry, its server builder and the classes.
    project = os.path.join(work, "project")
    run(tessera, "export", "qupath", results, "--project", project)
    loaded = json.loads(run(READER, "project", os.path.join(project, "project.qpproj")))
    expect(loaded["version"] == "0.5.1", f"project version {loaded['version']}")
    images = loaded["images"]
    expect(len(images) == 1, f"{len(images)} images in the project")
    if images:
        image = images[0]
        builder = image["server_builder"]
        expect(image["name"] == os.path.basename(slide), f"image name {image['name']}")
        expect(builder.get("builderType") == "uri"
               and builder.get("providerClassName") == "qupath.lib.images.servers.openslide.OpenslideServerBuilder",
               f"server builder {builder}")
        expect(image["uris"] == ["file:" + os.path.abspath(slide)], f"image URIs {image['uris']}")
        geojson = image["metadata"].get("tessera.geojson", "")
        expect(geojson.startswith("tessera/") and os.path.isdir(os.path.join(project, geojson)),
               f"tessera.geojson {geojson!r}")
        if os.path.isdir(os.path.join(project, geojson)):
            # The project's objects: every class but background (the default), and the tiles.
            again = read_objects(os.path.join(project, geojson))
            wanted = read["objects"] - types["annotation"]["Ignore*"]["count"]
            expect(again["types"].keys() == types.keys() and again["objects"] == wanted
                   and "Ignore*" not in again["types"]["annotation"],
                   f"the project's GeoJSON reads as {again['objects']} objects, expected {wanted}")
    names = {c["name"]: c.get("color") for c in loaded["classes"]}
    for name, colour in {"nuclei": [59, 76, 192], "Ignore*": [180, 180, 180], "Tumor": [200, 0, 0],
                         "Stroma": [150, 200, 150]}.items():
        expect(names.get(name) == colour, f"project class {name}: {names.get(name)}, expected {colour}")
    expect("eosin-stroma" in names and "background" not in names, f"project classes {sorted(names)}")
    for kind, count in qc_written.items():
        name = "Ignore*: " + kind.replace("_", " ").capitalize()
        expect(names.get(name) == qc_colours[kind], f"project class {name}: {names.get(name)}, expected {qc_colours[kind]}")
    expect(os.path.isfile(os.path.join(project, "scripts", "Import Tessera objects.groovy")), "no import script")
    print(f"  project: {len(images)} image via {builder.get('providerClassName', '?').rsplit('.', 1)[-1]}, "
          f"{len(names)} classes read by DefaultProject")


def check_bounds(tessera, slide, work):
    """A Leica slide whose main image lies at (128, 96) in its 1024 x 768 collection: QuPath's OpenSlide server shows
    the 512 x 384 bounds, so every object is written in that frame."""
    out = os.path.join(work, "bounds-run")
    run(tessera, "run", slide, "--out", out, "--mpp", "1", "--tile", "128", "--overlap", "16", "--quiet")
    results = os.path.join(out, "results.sqlite")
    database = sqlite3.connect(results)
    (slide_run,) = database.execute("SELECT id FROM slide_runs").fetchone()
    stored = database.execute("SELECT x, y, width, height FROM tiles WHERE slide_run_id = ?", (slide_run,)).fetchall()
    summary = json.loads(run(tessera, "export", "geojson", results, "--out", os.path.join(work, "bounds-geojson"),
                             "--objects", "both", "--json"))
    path = summary["slides"][0]["file"]
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    frame = collection["tessera"]["qupath_frame"]
    expect(frame == {"offset": [128, 96], "source": "openslide-bounds"}, f"Leica frame {frame}")
    # Each tile is its stored level-0 window cut to the bounds, less the offset (exact integers).
    expected = set()
    for x, y, w, h in stored:
        x0, y0, x1, y1 = max(x, 128), max(y, 96), min(x + w, 128 + 512), min(y + h, 96 + 384)
        if x0 < x1 and y0 < y1:
            expected.add((x0 - 128, y0 - 96, x1 - 128, y1 - 96))
    written = set()
    for feature in collection["features"]:
        if feature["properties"]["objectType"] == "tile":
            ring = feature["geometry"]["coordinates"][0]
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            written.add((min(xs), min(ys), max(xs), max(ys)))
    expect(written == expected and expected, f"tiles in QuPath's frame: {sorted(written)[:3]}…, expected {sorted(expected)[:3]}…")
    read = read_objects(path)
    expect(read["invalid_geometries"] == 0, f"bounds slide: {read['invalid_geometries']} invalid geometries")
    tiles = read["types"].get("tile", {})
    left = min(g["bounds"][0] for g in tiles.values()) if tiles else None
    top = min(g["bounds"][1] for g in tiles.values()) if tiles else None
    right = max(g["bounds"][2] for g in tiles.values()) if tiles else None
    bottom = max(g["bounds"][3] for g in tiles.values()) if tiles else None
    expect((left, top) == (0, 0) and right <= 512 and bottom <= 384,
           f"QuPath reads the tiles within ({left}, {top}, {right}, {bottom}), not the 512 x 384 image")
    regions = {f"{t}/{c}": g["bounds"] for t, classes in read["types"].items() if t != "tile" for c, g in classes.items()}
    for name, (x0, y0, x1, y1) in regions.items():
        expect(x0 >= 0 and y0 >= 0 and x1 <= 512 and y1 <= 384, f"bounds slide: {name} reaches outside the image: {x0, y0, x1, y1}")
    print(f"  Leica slide with bounds (128, 96, 512, 384): {len(written)} tiles and {len(regions)} region classes "
          f"in QuPath's 512 x 384 frame, the tiles exactly at their level-0 windows less (128, 96)")


def main():
    tessera, slide, bounds_slide = sys.argv[1], sys.argv[2], sys.argv[3]
    with tempfile.TemporaryDirectory(prefix="tessera-qupath-") as work:
        check_cmu(tessera, os.path.abspath(slide), work)
        check_bounds(tessera, os.path.abspath(bounds_slide), work)
    if failures:
        sys.exit(f"check_qupath_reader: {len(failures)} failures")
    print("qupath-reader: QuPath 0.5.1's own readers import the export and the project as intended")


if __name__ == "__main__":
    main()
