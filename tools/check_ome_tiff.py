#!/usr/bin/env python3
"""Independent check of `tessera run --heatmap-format ome-tiff` (scripts/check-ome-tiff runs it).

Runs the fixture slide twice, with plain TIFF heatmaps and with OME-TIFF heatmaps, and checks every OME file with
tools that share no code with Tessera:
- tifffile: an OME-TIFF whose OME-XML parses, its pyramid as SubIFDs of one main IFD (each level halved, rounded
  up), physical pixel sizes = the run's level-0 mpp x the map's downsample, channel names (a probability map's
  class), provenance (run_uid, slide_run_id, slide fingerprint, model sha) in a MapAnnotation, the class map's
  palette = the run's class colours, and pixel values equal to the plain TIFF's at every level (the overlay: the
  plain RGBA composited on white at level 0);
- xmlschema: the OME-XML valid against the OME 2016-06 XSD (the copy ome-types bundles);
- vips: each file's size, bands and SubIFD levels, and the class map shown in the class colours;
- OpenSlide (openslide-python on the system's libopenslide): each file opens, the class map in the class colours
  and the overlay white (never black) where it is transparent;
- the GeoJSON each run wrote from its own maps, and `tessera export geojson`'s: the same regions from both formats.
Exits non-zero, naming the file, on any failure.

usage: check_ome_tiff.py TESSERA_BINARY SLIDE
"""
import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import numpy
import openslide
import tifffile
import xmlschema

OME = "{http://www.openmicroscopy.org/Schemas/OME/2016-06}"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def run(tessera, *arguments):
    result = subprocess.run([tessera, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"tessera {' '.join(arguments)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def tool(*arguments):
    result = subprocess.run(list(arguments), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(arguments)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout.strip()


def ome_schema():
    # Only the bundled .xsd is read: find the package folder without importing ome_types (and its pydantic).
    spec = importlib.util.find_spec("ome_types")
    path = os.path.join(list(spec.submodule_search_locations)[0], "ome-2016-06.xsd")
    if not os.path.exists(path):
        sys.exit(f"the OME 2016-06 XSD is not where ome-types keeps it: {path}")
    return xmlschema.XMLSchema(path)


def artefacts(out):
    """{(kind, class_index): absolute path} of the run's only slide run, and the run's facts."""
    database = sqlite3.connect(os.path.join(out, "results.sqlite"))
    rows = database.execute("SELECT kind, class_index, path FROM artefacts WHERE kind != 'geojson'").fetchall()
    run_uid, slide_run = database.execute(
        "SELECT r.run_uid, sr.id FROM slide_runs sr JOIN runs r ON r.id = sr.run_id").fetchone()
    mpp = database.execute("SELECT mpp_x, mpp_y FROM slide_runs").fetchone()
    classes = database.execute("SELECT name, colour FROM classes ORDER BY class_index").fetchall()
    qc_kinds = {kind for (kind,) in database.execute("SELECT kind FROM slide_qc")}
    database.close()
    files = {(kind, index): os.path.join(out, path) for kind, index, path in rows}
    return files, dict(run_uid=run_uid, slide_run=slide_run, mpp=mpp, classes=classes, qc_kinds=qc_kinds)


def map_annotation(root):
    values = {}
    for m in root.iter(OME + "M"):
        values[m.get("K")] = m.text or ""
    return values


def composite_on_white(rgba):
    a = rgba[..., 3:4].astype(numpy.int64)
    return ((rgba[..., :3].astype(numpy.int64) * a + 255 * (255 - a) + 127) // 255).astype(numpy.uint8)


def check_file(path, plain_path, kind, facts, schema, class_name=None):
    name = os.path.basename(path)
    check(name.endswith(".ome.tif"), f"{name}: not named .ome.tif")
    with tifffile.TiffFile(path) as tif, tifffile.TiffFile(plain_path) as plain:
        if not check(tif.is_ome, f"{name}: tifffile does not see an OME-TIFF"):
            return
        xml = tif.ome_metadata
        errors = list(schema.iter_errors(xml))
        check(not errors, f"{name}: OME-XML invalid against the 2016-06 XSD: {errors[:1]}")
        root = ET.fromstring(xml)
        pixels = root.find(f"{OME}Image/{OME}Pixels")
        channel = pixels.find(f"{OME}Channel")
        annotation = map_annotation(root)
        description = json.loads(annotation.get("tessera", "{}"))

        # The pyramid: one main IFD, the reduced levels its SubIFDs, each halved (rounded up).
        check(len(tif.pages) == 1, f"{name}: {len(tif.pages)} main IFDs (expected 1)")
        series = tif.series[0]
        levels = series.levels
        check(len(levels) >= 2, f"{name}: no pyramid ({len(levels)} level)")
        check(len(tif.pages[0].subifds or []) == len(levels) - 1,
              f"{name}: {len(tif.pages[0].subifds or [])} SubIFDs for {len(levels)} levels")
        width, height = int(pixels.get("SizeX")), int(pixels.get("SizeY"))
        for index, level in enumerate(levels):
            page = level.keyframe
            expected = (-(-height // 2 ** index), -(-width // 2 ** index))
            check(page.shape[:2] == expected, f"{name}: level {index} is {page.shape[:2]}, expected {expected}")
            check(index == 0 or page.subfiletype & 1, f"{name}: level {index} not marked a reduced image")

        # Physical size: level-0 mpp x downsample (µm by default).
        downsample = description.get("downsample")
        mpp_x, mpp_y = facts["mpp"]
        for axis, mpp in (("X", mpp_x), ("Y", mpp_y)):
            stated = pixels.get(f"PhysicalSize{axis}")
            if check(stated is not None, f"{name}: no PhysicalSize{axis}"):
                check(abs(float(stated) - mpp * downsample) < 1e-9 * mpp * downsample,
                      f"{name}: PhysicalSize{axis} {stated}, expected {mpp} x {downsample}")
            check(pixels.get(f"PhysicalSize{axis}Unit", "µm") == "µm", f"{name}: PhysicalSize{axis}Unit not µm")

        # Provenance, in the MapAnnotation and in Tessera's JSON within it.
        check(annotation.get("run_uid") == facts["run_uid"] == description.get("run_uid"), f"{name}: run_uid")
        check(annotation.get("slide_run_id") == str(facts["slide_run"]) == str(description.get("slide_run_id")),
              f"{name}: slide_run_id")
        check(len(annotation.get("model_sha256", "")) == 64 and annotation.get("slide_fingerprint"),
              f"{name}: model sha or fingerprint missing")
        class_names = [n for n, _ in facts["classes"]]
        if kind == "qc_mask":
            # The QC map's classes are the artefact kinds the run looked for, bit k for classes[k].
            check(set(description.get("classes", [])) == facts["qc_kinds"] and facts["qc_kinds"],
                  f"{name}: QC kinds {description.get('classes')}, the results file's {sorted(facts['qc_kinds'])}")
        else:
            check(description.get("classes") == class_names, f"{name}: classes {description.get('classes')}")

        # Channels and pixels.
        level0 = series.asarray(level=0)
        if kind == "overlay":
            check(pixels.get("SizeC") == "3" and channel.get("SamplesPerPixel") == "3", f"{name}: overlay not RGB")
            check(channel.get("Name") == "overlay", f"{name}: channel name {channel.get('Name')}")
            expected = composite_on_white(plain.pages[0].asarray())
            check(numpy.array_equal(level0, expected), f"{name}: level 0 is not the plain overlay on white")
            check(not numpy.any(numpy.all(level0 == 0, axis=-1)), f"{name}: black pixels in the overlay")
        else:
            check(pixels.get("SizeC") == "1", f"{name}: SizeC {pixels.get('SizeC')}")
            for index, level in enumerate(levels):
                check(numpy.array_equal(level.asarray(), plain.pages[index].asarray()),
                      f"{name}: level {index} differs from the plain TIFF's")
            if kind == "probability":
                check(channel.get("Name") == class_name, f"{name}: channel named {channel.get('Name')}, not {class_name}")
            elif kind == "qc_mask":
                # A palette of the kinds' colours (value 2^k: kind k's), white where nothing was flagged.
                check(channel.get("Name") == "artefacts", f"{name}: channel named {channel.get('Name')}")
                page = tif.pages[0]
                check(page.photometric == tifffile.PHOTOMETRIC.PALETTE, f"{name}: not a palette image")
                colormap = page.colormap
                check([int(v) >> 8 for v in colormap[:, 0]] == [255, 255, 255], f"{name}: no artefact not white")
                kinds = description.get("classes", [])
                bits = [[int(v) >> 8 for v in colormap[:, 1 << k]] for k in range(len(kinds))]
                check(all(b != [255, 255, 255] for b in bits) and len({tuple(b) for b in bits}) == len(kinds),
                      f"{name}: the kinds' palette entries {bits} are not distinct colours")
            else:
                check(channel.get("Name") == "class", f"{name}: channel named {channel.get('Name')}")
                page = tif.pages[0]
                check(page.photometric == tifffile.PHOTOMETRIC.PALETTE, f"{name}: not a palette image")
                colormap = page.colormap
                for index, (_, colour) in enumerate(facts["classes"]):
                    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
                    check([int(v) >> 8 for v in colormap[:, index]] == rgb,
                          f"{name}: palette entry {index} is {colormap[:, index]}, the class colour {colour}")
                check([int(v) >> 8 for v in colormap[:, 255]] == [255, 255, 255], f"{name}: no prediction not white")
        return level0, levels


def check_vips(path, kind, level0, levels, facts):
    name = os.path.basename(path)
    check(tool("vipsheader", "-f", "width", path) == str(level0.shape[1]), f"{name}: vips width")
    check(tool("vipsheader", "-f", "height", path) == str(level0.shape[0]), f"{name}: vips height")
    last = len(levels) - 1
    reduced = tool("vipsheader", "-f", "width", f"{path}[subifd={last - 1}]")
    check(reduced == str(levels[last].shape[1]), f"{name}: vips SubIFD {last - 1} width {reduced}")
    if kind in ("class_map", "model_class_map"):
        # vips expands the palette: a pixel of class c reads as c's colour.
        y, x = [int(v[0]) for v in numpy.nonzero(level0 < len(facts["classes"]))]
        colour = facts["classes"][int(level0[y, x])][1]
        point = tool("vips", "getpoint", path, str(x), str(y)).split()
        check([int(float(v)) for v in point[:3]] == [int(colour[i:i + 2], 16) for i in (1, 3, 5)],
              f"{name}: vips shows ({x}, {y}) as {point}, not the class colour {colour}")


def check_openslide(path, kind, level0, facts):
    name = os.path.basename(path)
    slide = openslide.OpenSlide(path)
    check(slide.dimensions == (level0.shape[1], level0.shape[0]), f"{name}: OpenSlide size {slide.dimensions}")
    if kind in ("class_map", "model_class_map"):
        y, x = [int(v[0]) for v in numpy.nonzero(level0 < len(facts["classes"]))]
        colour = facts["classes"][int(level0[y, x])][1]
        pixel = slide.read_region((x, y), 0, (1, 1)).getpixel((0, 0))
        check(list(pixel) == [int(colour[i:i + 2], 16) for i in (1, 3, 5)] + [255],
              f"{name}: OpenSlide shows ({x}, {y}) as {pixel}, not the class colour {colour}")
    if kind == "overlay":
        white = numpy.nonzero(numpy.all(level0 == 255, axis=-1))
        if check(len(white[0]) > 0, f"{name}: nothing transparent to check"):
            y, x = int(white[0][0]), int(white[1][0])
            pixel = slide.read_region((x, y), 0, (1, 1)).getpixel((0, 0))
            check(list(pixel) == [255, 255, 255, 255], f"{name}: OpenSlide shows a clear pixel as {pixel}, not white")
    slide.close()


def geometries(out, folder="geojson"):
    folder = os.path.join(out, folder)
    names = [n for n in os.listdir(folder) if n.endswith(".geojson") and not os.path.islink(os.path.join(folder, n))]
    with open(os.path.join(folder, names[0])) as f:
        document = json.load(f)
    features = document["features"] if isinstance(document, dict) else document
    return sorted(json.dumps([f["geometry"], f.get("properties", {}).get("classification")], sort_keys=True)
                  for f in features)


def main():
    tessera, slide = sys.argv[1], sys.argv[2]
    schema = ome_schema()
    with tempfile.TemporaryDirectory(prefix="tessera-ome-") as work:
        # 1-model-pixel heatmaps, so the maps are larger than a tile and have pyramids.
        common = [slide, "--mpp", "1", "--tile", "128", "--overlap", "16", "--heatmap-pixel", "1", "--geojson",
                  "--quiet"]
        plain_out, ome_out = os.path.join(work, "plain"), os.path.join(work, "ome")
        run(tessera, "run", *common, "--out", plain_out)
        run(tessera, "run", *common, "--out", ome_out, "--heatmap-format", "ome-tiff")
        plain_files, _ = artefacts(plain_out)
        ome_files, facts = artefacts(ome_out)
        kinds = sorted({kind for kind, _ in ome_files})
        check(kinds == ["class_map", "model_class_map", "overlay", "probability", "qc_mask"], f"recorded kinds {kinds}")
        class_names = [n for n, _ in facts["classes"]]
        for (kind, index), path in sorted(ome_files.items(), key=lambda item: (item[0][0], item[0][1] or -1)):
            result = check_file(path, plain_files[(kind, index)], kind, facts, schema,
                                class_name=class_names[index] if index is not None else None)
            if result is None:
                continue
            level0, levels = result
            check_vips(path, kind, level0, levels, facts)
            check_openslide(path, kind, level0, facts)
        # The GeoJSON the run traced from its OME model-resolution map: the same regions as from the plain TIFF.
        check(geometries(ome_out) == geometries(plain_out), "the GeoJSON from the OME-TIFF maps differs from the plain run's")
        # `tessera export geojson` finds the OME maps through the artefacts table and traces the same regions.
        for out in (plain_out, ome_out):
            run(tessera, "export", "geojson", os.path.join(out, "results.sqlite"), "--out", os.path.join(out, "export"),
                "--objects", "both")
        check(geometries(ome_out, "export") == geometries(plain_out, "export"),
              "tessera export geojson traces other regions from the OME-TIFF maps")
        check(len(geometries(ome_out, "export")) > 0, "tessera export geojson wrote no features")
        print(f"checked {len(ome_files)} OME-TIFF heatmaps of {os.path.basename(slide)}: "
              f"{', '.join(kinds)}; {len(failures)} failure(s)")
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
