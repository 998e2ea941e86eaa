#!/usr/bin/env python3
"""Independent check of `tessera export geojson` (scripts/check-geojson runs it).

Runs `tessera run` on the fixture slide, exports GeoJSON three ways and checks the files with libraries that share
no code with Tessera: the `geojson` package (structure), shapely (validity, orientation, areas, overlaps) and
tifffile (the class-map heatmap's pixels). Exits non-zero, naming the file and the feature, on any failure.

usage: check_geojson.py TESSERA_BINARY SLIDE
"""
import gzip
import json
import math
import os
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections import defaultdict

import geojson
import numpy
import shapely
import shapely.validation
import tifffile
from shapely.geometry import shape

failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, file=sys.stderr)


def run(tessera, *arguments):
    result = subprocess.run([tessera, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"tessera {' '.join(arguments)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return handle.read()


def check_structure(path, text):
    """The geojson package's validation, and QuPath's object form on every feature."""
    collection = geojson.loads(text)
    if not collection.is_valid:
        fail(f"{path}: geojson says invalid: {collection.errors()}")
    if collection.get("type") != "FeatureCollection":
        fail(f"{path}: not a FeatureCollection")
    for number, feature in enumerate(collection["features"]):
        where = f"{path} feature {number}"
        if feature.get("type") != "Feature":
            fail(f"{where}: type is {feature.get('type')}")
        try:
            uuid.UUID(feature["id"])
        except (KeyError, ValueError):
            fail(f"{where}: id {feature.get('id')!r} is not a UUID (QuPath ignores it)")
        properties = feature.get("properties", {})
        if properties.get("objectType") not in ("annotation", "detection", "tile"):
            fail(f"{where}: objectType {properties.get('objectType')!r}")
        classification = properties.get("classification", {})
        colour = classification.get("color")
        if not isinstance(classification.get("name"), str) or not (
            isinstance(colour, list) and len(colour) == 3 and all(isinstance(c, int) and 0 <= c <= 255 for c in colour)
        ):
            fail(f"{where}: classification {classification!r} is not {{name, color: [r, g, b]}}")
        if properties.get("isLocked") is not True:
            fail(f"{where}: isLocked is not true")
        measurements = properties.get("measurements")
        if not isinstance(measurements, dict) or not all(isinstance(v, (int, float)) for v in measurements.values()):
            fail(f"{where}: measurements are not an object of numbers: {measurements!r}")
    return collection


def check_geometry(path, collection):
    """Every geometry valid for shapely (GEOS), shells counter-clockwise and holes clockwise on the raw numbers."""
    shapes = []
    for number, feature in enumerate(collection["features"]):
        geometry = shape(feature["geometry"])
        if not geometry.is_valid:
            fail(f"{path} feature {number}: invalid: {shapely.validation.explain_validity(geometry)}")
        polygons = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
        for polygon in polygons:
            if not polygon.exterior.is_ccw or any(ring.is_ccw for ring in polygon.interiors):
                fail(f"{path} feature {number}: shell not counter-clockwise or a hole not clockwise")
        shapes.append((feature, geometry))
    return shapes


# The model's class names Tessera writes as one of QuPath's standard classes (QuPathClassMap).
QUPATH_NAMES = {"background": "Ignore*"}


def main():
    tessera, slide = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="tessera-geojson-") as work:
        out = os.path.join(work, "run")
        run(tessera, "run", slide, "--out", out, "--mpp", "1", "--tile", "128", "--overlap", "16", "--quiet")
        results = os.path.join(out, "results.sqlite")
        name = os.path.basename(slide)
        database = sqlite3.connect(results)
        width, height, mpp_x, mpp_y, slide_run = database.execute(
            "SELECT s.width, s.height, sr.mpp_x, sr.mpp_y, sr.id FROM slide_runs sr JOIN slides s ON s.id = sr.slide_id"
        ).fetchone()
        classes = dict(database.execute("SELECT class_index, name FROM classes"))

        # 1. Regions as traced and tiles.
        run(tessera, "export", "geojson", results, "--out", os.path.join(work, "exact"), "--objects", "both",
            "--classes", ",".join(classes.values()))
        # Files are named after the slide run (OutputLayout): <slide>.sr<N>.geojson.
        stem = f"{name}.sr{slide_run}"
        exact_path = os.path.join(work, "exact", stem + ".geojson")
        exact = check_geometry(exact_path, check_structure(exact_path, load(exact_path)))
        # The QC's artefact regions (Ignore*: <Kind>) lie over the class regions by design: checked on their own.
        def is_qc(feature):
            return "Tessera: QC kind value" in feature["properties"].get("measurements", {})
        qc_regions = [(f, g) for f, g in exact if is_qc(f)]
        regions = [(f, g) for f, g in exact if f["properties"]["objectType"] != "tile" and not is_qc(f)]
        tiles = [(f, g) for f, g in exact if f["properties"]["objectType"] == "tile"]
        qc_by_kind = defaultdict(float)
        qc_outlined = defaultdict(float)
        for feature, geometry in qc_regions:
            measured = feature["properties"]["measurements"]["Tessera: area µm^2"]
            if abs(measured - geometry.area * mpp_x * mpp_y) > 1e-9 * measured + 0.01 * geometry.length * mpp_x * mpp_y:
                fail(f"{exact_path}: QC region area {measured} µm² is not its polygon's {geometry.area * mpp_x * mpp_y}")
            qc_by_kind[feature["properties"]["classification"]["name"]] += measured
            qc_outlined[feature["properties"]["classification"]["name"]] += geometry.area
        # Each kind's regions add up to the area the results file records for it (slide_qc, in the slide's bounds).
        recorded_qc = {kind: area * 1e6 for kind, area in database.execute(
            "SELECT kind, area_mm2 FROM slide_qc WHERE slide_run_id = ? AND area_mm2 > 0", (slide_run,))}
        for kind, area in recorded_qc.items():
            name = "Ignore*: " + kind.replace("_", " ").capitalize()
            if not math.isclose(qc_by_kind.get(name, 0), area, rel_tol=1e-6):
                fail(f"{exact_path}: QC {kind}: regions {qc_by_kind.get(name, 0)} µm², the results file {area} µm²")
        print(f"  QC regions: {len(qc_regions)} ({', '.join(f'{k} {v:.0f} µm²' for k, v in sorted(qc_by_kind.items()))}), "
              f"as the results file's slide_qc")

        # Areas against the pixels of the map the regions are traced from, the model-resolution class map (its pixel
        # is one model pixel, 1/0.499 level-0 pixels here): each pixel counts for its part inside the slide. Its
        # vertices fall between level-0 pixels and are written to 2 decimals, so areas agree within that rounding.
        class_map_path = database.execute(
            "SELECT path FROM artefacts WHERE slide_run_id = ? AND kind = 'model_class_map'", (slide_run,)).fetchone()[0]
        with tifffile.TiffFile(os.path.join(out, class_map_path)) as tiff:
            page = tiff.pages[0]
            class_map = page.asarray()
            downsample = json.loads(page.description)["downsample"]
        columns = numpy.minimum((numpy.arange(class_map.shape[1]) + 1) * downsample, width) - numpy.arange(class_map.shape[1]) * downsample
        rows = numpy.minimum((numpy.arange(class_map.shape[0]) + 1) * downsample, height) - numpy.arange(class_map.shape[0]) * downsample
        pixel_area = numpy.outer(rows, columns).astype(numpy.float64)
        # Annotations (compartments) are drawn with the detection regions (nuclei) they enclose filled in: a
        # region's own pixels are its polygon less the detections inside it, and its measurements say both.
        detections = [g for f, g in regions if f["properties"]["objectType"] == "detection"]
        detection_tree = shapely.STRtree(detections)
        traced = defaultdict(float)
        outlined = defaultdict(float)
        own_geometries = []
        filled_total = 0
        for feature, geometry in regions:
            measurements = feature["properties"]["measurements"]
            own = geometry
            if feature["properties"]["objectType"] == "annotation":
                enclosed = [detections[i] for i in detection_tree.query(geometry, predicate="contains")]
                own = geometry.difference(shapely.union_all(enclosed)) if enclosed else geometry
                filled_total += len(enclosed)
                if measurements.get("Tessera: holes filled by detections") != len(enclosed):
                    fail(f"{exact_path}: {measurements.get('Tessera: holes filled by detections')} holes filled, "
                         f"{len(enclosed)} detections inside")
                outline = measurements.get("Tessera: area incl. enclosed detections µm^2", -1)
                if abs(outline - geometry.area * mpp_x * mpp_y) > 1e-9 * outline + 0.01 * geometry.length * mpp_x * mpp_y:
                    fail(f"{exact_path}: outline area {outline} µm² is not the polygon's {geometry.area * mpp_x * mpp_y}")
            own_geometries.append(own)
            traced[feature["properties"]["classification"]["name"]] += own.area
            outlined[feature["properties"]["classification"]["name"]] += geometry.area
            measured = measurements["Tessera: area µm^2"]
            rounding = 0.01 * (geometry.length + own.length) * mpp_x * mpp_y
            if abs(measured - own.area * mpp_x * mpp_y) > 1e-9 * measured + rounding:
                fail(f"{exact_path}: measured area {measured} µm² is not the region's own {own.area * mpp_x * mpp_y}")
        if filled_total == 0:
            fail(f"{exact_path}: no annotation encloses a nucleus")
        print(f"  annotations enclose {filled_total} nucleus regions, filled in")
        stored_areas = dict(database.execute("SELECT class_name, class_px FROM slide_class_areas WHERE slide_run_id = ?",
                                             (slide_run,)))
        for index, stored_name in classes.items():
            class_name = QUPATH_NAMES.get(stored_name, stored_name)  # background is QuPath's Ignore*
            stored = {class_name: stored_areas[stored_name]}
            expected = float(pixel_area[class_map == index].sum())
            if not math.isclose(traced[class_name], expected, rel_tol=1e-5):
                fail(f"{exact_path}: {class_name}: regions cover {traced[class_name]} px², the class map {expected}")
            # One number: the results file's area of the class, counted on the tiles' model pixels.
            if not math.isclose(traced[class_name], stored[class_name], rel_tol=0.01):
                fail(f"{exact_path}: {class_name}: regions cover {traced[class_name]} px², the results file {stored[class_name]}")
            print(f"  {class_name}: {len([f for f, _ in regions if f['properties']['classification']['name'] == class_name])} regions, "
                  f"{expected:.0f} level-0 px² = the map's pixels; results file {stored[class_name]:.0f} "
                  f"({100 * (traced[class_name] / stored[class_name] - 1):+.3f}%)")
        # Regions of different classes never overlap, and together they tile the predicted part of the map.
        union = shapely.union_all(own_geometries)
        total = sum(g.area for g in own_geometries)
        if not math.isclose(union.area, total, rel_tol=1e-9):
            fail(f"{exact_path}: regions overlap: union {union.area} px², sum {total} px²")
        if not math.isclose(total, float(pixel_area[class_map != 255].sum()), rel_tol=1e-5):
            fail(f"{exact_path}: regions cover {total} px², the predicted pixels {pixel_area[class_map != 255].sum()}")
        stored_tiles = database.execute("SELECT x, y, width, height FROM tiles WHERE slide_run_id = ?", (slide_run,)).fetchall()
        if len(tiles) != len(stored_tiles):
            fail(f"{exact_path}: {len(tiles)} tiles, the results file has {len(stored_tiles)}")
        clipped = sum(max(0, min(x + w, width) - x) * max(0, min(y + h, height) - y) for x, y, w, h in stored_tiles)
        if not math.isclose(sum(g.area for _, g in tiles), clipped, rel_tol=1e-12):
            fail(f"{exact_path}: tile areas {sum(g.area for _, g in tiles)}, own windows {clipped}")
        print(f"  tiles: {len(tiles)} QuPath tiles, own windows as stored")

        # 2. Simplified, filtered, gzip: still valid, classes still apart.
        run(tessera, "export", "geojson", results, "--out", os.path.join(work, "simple"), "--simplify-um", "8",
            "--min-area-um2", "200", "--gzip")
        simple_path = os.path.join(work, "simple", stem + ".geojson.gz")
        simple = check_geometry(simple_path, check_structure(simple_path, load(simple_path)))
        # Classes still apart: simplification cuts boundaries into arcs shared by both sides, so two simplified
        # regions never overlap. A ring kept as traced (only axis-parallel edges) because simplifying it would have
        # made its polygon invalid may overlap its simplified neighbours by less than the tolerance.
        geometries = [g for _, g in simple]
        object_types = [f["properties"]["objectType"] for f, _ in simple]
        tree = shapely.STRtree(geometries)
        def as_traced(geometry):
            # Every ring on its own: only axis-parallel edges (the rings' coordinates one after another are not edges).
            def ring_as_traced(ring):
                xy = numpy.asarray(ring.coords)
                return bool(numpy.all((xy[1:, 0] == xy[:-1, 0]) | (xy[1:, 1] == xy[:-1, 1])))
            return any(ring_as_traced(ring) for ring in [geometry.exterior, *geometry.interiors])
        kept_as_traced = 0
        for i, j in zip(*tree.query(geometries, predicate="intersects")):
            # A detection inside an annotation is there by design (the nuclei filled into a compartment).
            if i < j and object_types[i] == object_types[j] and geometries[i].intersection(geometries[j]).area > 0:
                if as_traced(geometries[i]) or as_traced(geometries[j]):
                    kept_as_traced += 1
                else:
                    fail(f"{simple_path}: simplified regions {i} and {j} overlap by {geometries[i].intersection(geometries[j]).area} px²")
        vertices = lambda shapes: sum(len(shapely.get_coordinates(g)) for _, g in shapes)
        exact_regions = [(f, g) for f, g in regions if f["properties"]["classification"]["name"] != "Ignore*"
                         and f["properties"]["measurements"]["Tessera: area µm^2"] >= 200]
        print(f"  simplified (8 µm, >= 200 µm², gzip): {len(simple)} regions valid, "
              f"{vertices(simple)} vertices (as traced: {vertices(exact_regions)}); "
              f"{kept_as_traced} overlaps next to regions kept as traced")

        # 3. One MultiPolygon per class: the same areas as the regions.
        run(tessera, "export", "geojson", results, "--out", os.path.join(work, "multi"), "--multipolygon-per-class")
        multi_path = os.path.join(work, "multi", stem + ".geojson")
        multi = check_geometry(multi_path, check_structure(multi_path, load(multi_path)))
        for feature, geometry in multi:
            class_name = feature["properties"]["classification"]["name"]
            expected = qc_outlined[class_name] if is_qc(feature) else outlined[class_name]
            if not math.isclose(geometry.area, expected, rel_tol=1e-12):
                fail(f"{multi_path}: {class_name}: MultiPolygon covers {geometry.area}, its regions {expected}")
        print(f"  one MultiPolygon per class: {len(multi)} features, areas as the regions'")

        # 4. `tessera export qupath`'s default: outlines simplified (compartments and detections to within 0.5 µm,
        # one model pixel) so that a whole slide's objects fit QuPath's heap. Each object is the exact export's (same id,
        # same measurements: areas as traced), its outline within the tolerance of the traced one, never more vertices.
        project = os.path.join(work, "project")
        run(tessera, "export", "qupath", results, "--project", project)
        folder = os.path.join(project, "tessera", stem)
        exact_by_id = {feature["id"]: (feature, geometry) for feature, geometry in exact}
        tolerance_um = {"annotation": 0.5, "detection": 0.5, "tile": 0}
        pixel_um = (mpp_x + mpp_y) / 2
        vertex_totals = defaultdict(lambda: [0, 0])
        worst = defaultdict(float)
        for part in sorted(os.listdir(folder)):
            path = os.path.join(folder, part)
            text = load(path)
            header = json.loads(text)["tessera"]
            if header.get("simplify_um") != {"annotations": 0.5, "detections": 0.5}:
                fail(f"{path}: tessera.simplify_um {header.get('simplify_um')}, expected the defaults")
            for feature, geometry in check_geometry(path, check_structure(path, text)):
                object_type = feature["properties"]["objectType"]
                if feature["id"] not in exact_by_id:
                    fail(f"{path}: object {feature['id']} is not in the exact export")
                    continue
                traced_feature, traced = exact_by_id[feature["id"]]
                if feature["properties"] != traced_feature["properties"]:
                    fail(f"{path}: object {feature['id']}: properties {feature['properties']}, exact {traced_feature['properties']}")
                # The QC's regions are the QC map's own pixels, never simplified.
                allowed = 0 if is_qc(feature) else tolerance_um[object_type] / pixel_um
                distance = geometry.hausdorff_distance(traced)
                worst[object_type] = max(worst[object_type], distance * pixel_um)
                if distance > allowed + 1e-6:
                    fail(f"{path}: {object_type} {feature['id']} lies {distance} px from its traced outline (tolerance {allowed})")
                counted = (len(shapely.get_coordinates(geometry)), len(shapely.get_coordinates(traced)))
                if counted[0] > counted[1]:
                    fail(f"{path}: {object_type} {feature['id']} has {counted[0]} vertices, traced {counted[1]}")
                vertex_totals[object_type][0] += counted[0]
                vertex_totals[object_type][1] += counted[1]
        for object_type in ("annotation", "detection"):
            simplified, traced = vertex_totals[object_type]
            if not 0 < simplified < traced:
                fail(f"{folder}: {object_type}s: {simplified} vertices simplified, {traced} as traced")
        print("  export qupath (simplified by default): " + "; ".join(
            f"{t}s {v[0]} vertices (traced {v[1]}), at most {worst[t]:.3f} µm off" for t, v in sorted(vertex_totals.items())))
    if failures:
        sys.exit(f"check_geojson: {len(failures)} failures")
    print("geojson: files valid for geojson and shapely; areas equal the class map's pixels")


if __name__ == "__main__":
    main()
