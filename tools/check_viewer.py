#!/usr/bin/env python3
"""Checks `tessera serve` in a real browser: headless Chromium driven over the DevTools protocol.

scripts/check-viewer runs it against a server on loopback that serves a `tessera run` of
fixtures/slides/CMU-1-Small-Region.svs. It opens the index page and the slide's viewer, takes screenshots, and checks
by pixel colours at known places that:
  - the index lists the slide and links to its viewer;
  - the slide is drawn (tissue where the slide has tissue, white where it has none);
  - the class overlay is drawn where the heatmap says "nuclei" (the screen colour moves towards the class colour by
    the amount its opacity predicts) and not over the background;
  - switching the overlay off removes its colour, switching it on brings it back;
  - clicking a point shows its level-0 coordinates and that tile's row;
  - the regions of `tessera export geojson` are drawn as outlines;
  - zoomed in, the nuclei in view are drawn as outlines, as many as the results file holds there, read again after
    a zoom out;
  - the nuclei density layer draws every cell of the results file's grid with a density, in that density's colour
    at the cell's place, and its legend states the scale;
  - the QC layer (off by default) has its legend of artefact kinds, and switched on colours a pixel the QC map
    flags in its kind's colour at the layer's opacity; switched off, the colour goes;
  - the page's console shows no errors or warnings of level error, and no request failed.
Writes the screenshots to OUT_DIR. Exit status 0 when every check passes, 1 otherwise.

Usage: check_viewer.py CHROMIUM BASE_URL SLIDE_ID CLASSES_TIFF OUT_DIR
"""
import asyncio
import base64
import io
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading

import websockets
from PIL import Image

WIDTH, HEIGHT = 1280, 800
DENSITY_OPACITY = 0.7  # the density image's opacity in viewer.js
NUCLEI = 1  # class index of "nuclei" in the bundled model
NUCLEI_RGB = (0x3B, 0x4C, 0xC0)
STROMA = 2  # "eosin-stroma"
STROMA_RGB = (0xF0, 0x8C, 0xB4)
OVERLAY_ALPHA = 160 / 255  # HeatmapWriter.defaultOverlayAlpha
OVERLAY_OPACITY = 0.7  # the viewer's default opacity for the class overlay (viewer.js)

failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


class DevTools:
    """One page target over the browser's DevTools WebSocket (flattened sessions)."""

    def __init__(self, socket):
        self.socket = socket
        self.next_id = 0
        self.pending = {}
        self.session = None
        self.problems = []  # console errors, exceptions, failed requests
        self.events = asyncio.Queue()

    async def listen(self):
        try:
            await self.receive()
        except websockets.exceptions.ConnectionClosed:
            pass

    async def receive(self):
        async for raw in self.socket:
            message = json.loads(raw)
            if "id" in message and message["id"] in self.pending:
                self.pending.pop(message["id"]).set_result(message)
                continue
            method, params = message.get("method"), message.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                self.problems.append("console." + params["type"] + ": " + text)
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                self.problems.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                self.problems.append("log: " + entry.get("text", "") + " " + entry.get("url", ""))
            elif method == "Network.loadingFailed":
                self.problems.append("request failed: " + params.get("errorText", ""))
            elif method == "Network.responseReceived" and params.get("response", {}).get("status", 200) >= 400:
                response = params["response"]
                self.problems.append("HTTP %d for %s" % (response["status"], response["url"]))
            await self.events.put(message)

    async def call(self, method, params=None, session=True, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        future = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.socket.send(json.dumps(message))
        answer = await asyncio.wait_for(future, timeout)
        if "error" in answer:
            raise RuntimeError("%s: %s" % (method, answer["error"]))
        return answer.get("result", {})

    async def evaluate(self, expression):
        result = await self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                      "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError("evaluating %s: %s" % (expression[:80], result["exceptionDetails"]))
        return result["result"].get("value")

    async def wait_for(self, expression, timeout=60, what=None):
        for _ in range(int(timeout * 10)):
            if await self.evaluate("!!(%s)" % expression):
                return True
            await asyncio.sleep(0.1)
        raise RuntimeError("timed out waiting for " + (what or expression))

    async def navigate(self, url):
        await self.call("Page.navigate", {"url": url})
        await self.wait_for("document.readyState === 'complete' && location.href === %s" % json.dumps(url),
                            what="page load of " + url)

    async def screenshot(self, path):
        data = await self.call("Page.captureScreenshot", {"format": "png"})
        png = base64.b64decode(data["data"])
        with open(path, "wb") as file:
            file.write(png)
        return Image.open(io.BytesIO(png)).convert("RGB")


# Waits until every visible layer (and the slide) has drawn all the tiles it needs at the current view.
SETTLED = """(() => {
  const v = window.tesseraViewer;
  if (!v || v.world.getItemCount() === 0) return false;
  for (let i = 0; i < v.world.getItemCount(); i++) {
    const item = v.world.getItemAt(i);
    if (item.getOpacity() > 0 && !item.getFullyLoaded()) return false;
  }
  return !v.world.needsDraw();
})()"""


def patch_mean(image, x, y, radius=2):
    pixels = [image.getpixel((x + dx, y + dy)) for dx in range(-radius, radius + 1) for dy in range(-radius, radius + 1)]
    return tuple(sum(p[c] for p in pixels) / len(pixels) for c in range(3))


def distance(a, b):
    return sum((a[c] - b[c]) ** 2 for c in range(3)) ** 0.5


async def run_checks(chromium_ws, base, slide_id, classes_tiff, out_dir):
    async with websockets.connect(chromium_ws, max_size=64 * 1024 * 1024) as socket:
        tools = DevTools(socket)
        listener = asyncio.create_task(tools.listen())
        target = await tools.call("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = await tools.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                                    session=False)
        tools.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            await tools.call(domain + ".enable")
        await tools.call("Emulation.setDeviceMetricsOverride",
                         {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})

        # Index page.
        await tools.navigate(base + "/")
        await tools.screenshot(os.path.join(out_dir, "serve-index.png"))
        links = await tools.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
        check(("/slides/%s" % slide_id) in links, "index links to the slide's viewer /slides/%s" % slide_id)
        names = await tools.evaluate("document.body.innerText")
        check("CMU-1-Small-Region.svs" in names and "nuclei mm²" in names, "index lists the slide and class areas")
        await tools.wait_for("Array.from(document.querySelectorAll('img.thumbnail')).every(i => i.complete)",
                             what="thumbnails")
        thumbnails = await tools.evaluate("Array.from(document.querySelectorAll('img.thumbnail')).map(i => i.naturalWidth)")
        check(len(thumbnails) >= 1 and all(width > 0 for width in thumbnails),
              "the index shows each slide's thumbnail (%s px wide)" % thumbnails)
        csv_text = await tools.evaluate("fetch(document.querySelector('a.csv').href).then(r => r.text())")
        csv_rows = [row for row in csv_text.replace("\r", "").split("\n") if row]
        check(csv_rows and "fraction_of_tissue" in csv_rows[0] and len(csv_rows) >= 4 and "CMU-1-Small-Region.svs" in csv_text,
              "the index offers the run's slide summary as CSV (%d rows)" % (len(csv_rows) - 1))

        # Viewer: the whole slide, the overlay on (its default).
        await tools.navigate("%s/slides/%s" % (base, slide_id))
        await tools.wait_for("window.tesseraLayers && window.tesseraLayers.overlay && window.tesseraLayers.overlay.item",
                             what="the overlay layer")
        await tools.wait_for(SETTLED, what="tiles drawn")
        await asyncio.sleep(0.5)
        whole = await tools.screenshot(os.path.join(out_dir, "serve-viewer.png"))
        info = await tools.evaluate("fetch('/api/slides/%s').then(r => r.json())" % slide_id)
        check(len(info["layers"]) == 5, "five heatmap layers (overlay, three probabilities and the QC artefacts)")
        check(bool(info.get("regions")), "the slide has GeoJSON regions")
        await tools.wait_for("document.getElementById('layer-regions') !== null", what="the regions layer")
        outlines = await tools.evaluate("document.querySelectorAll('#viewer svg path').length")
        check(outlines > 0, "the GeoJSON regions are laid over the slide as outlines (%d paths)" % outlines)
        await tools.evaluate("document.getElementById('layer-regions').click(), true")
        shown = await tools.evaluate("getComputedStyle(document.querySelector('.regions-overlay svg')).display !== 'none'")
        await tools.screenshot(os.path.join(out_dir, "serve-regions.png"))
        await tools.evaluate("document.getElementById('layer-regions').click(), true")
        hidden = await tools.evaluate("getComputedStyle(document.querySelector('.regions-overlay svg')).display === 'none'")
        check(shown and hidden, "the regions switch shows and hides the outlines")

        # The switches hold through pans and zooms: OpenSeadragon redraws its overlays at every view change.
        async def pan_and_zoom():
            await tools.evaluate("""(() => { const v = window.tesseraViewer;
                v.viewport.zoomBy(2.5, null, true); v.viewport.panBy(new OpenSeadragon.Point(0.03, 0.02), true);
                v.viewport.zoomBy(0.7, null, true); return true; })()""")
            await tools.wait_for(SETTLED, what="tiles drawn after a pan and zoom")
            await asyncio.sleep(0.5)
        regions_display = "getComputedStyle(document.querySelector('.regions-overlay svg')).display"
        await pan_and_zoom()
        still_hidden = await tools.evaluate(regions_display + " === 'none'")
        await tools.evaluate("document.getElementById('layer-regions').click(), true")
        await pan_and_zoom()
        still_shown = await tools.evaluate(regions_display + " !== 'none'")
        await tools.evaluate("document.getElementById('layer-regions').click(), true")
        await pan_and_zoom()
        hidden_again = await tools.evaluate(regions_display + " === 'none'")
        check(still_hidden and still_shown and hidden_again,
              "the regions switch holds through pans and zooms (off %s, on %s, off again %s)" % (
                  still_hidden, still_shown, hidden_again))
        await tools.evaluate("window.tesseraViewer.viewport.goHome(true), true")
        await tools.wait_for(SETTLED, what="home view again")

        # Nuclei: zoomed in, the layer draws the nuclei in view, as many as the results file holds there; zoomed out
        # to the whole slide (more than the server's 4096² pixels), it draws none and says to zoom in.
        check(bool(info.get("nuclei")), "the run counted nuclei: the viewer offers them")
        await tools.wait_for("document.getElementById('layer-nuclei') !== null", what="the nuclei layer")
        await tools.evaluate("""(() => { const v = window.tesseraViewer, w = %d;
            v.viewport.fitBounds(new OpenSeadragon.Rect(700 / w, 1100 / w, 700 / w, 500 / w), true); return true; })()"""
                             % info["width"])
        await tools.wait_for(SETTLED, what="tiles drawn zoomed in")
        await tools.evaluate("document.getElementById('layer-nuclei').click(), true")
        await tools.wait_for("window.tesseraLayers.nuclei.region !== null", what="the nuclei in view")
        drawn = await tools.evaluate("document.querySelectorAll('.nuclei-overlay path.nucleus').length")
        region = await tools.evaluate("window.tesseraLayers.nuclei.region")
        answer = await tools.evaluate("fetch('/api/slides/%s/nuclei?x=%d&y=%d&w=%d&h=%d').then(r => r.json())"
                                      % ((slide_id,) + tuple(region)))
        check(drawn > 20 and drawn == answer["total"] and not answer["truncated"],
              "zoomed in, the nuclei in view are drawn as outlines (%d drawn, %d in the results file for %s)"
              % (drawn, answer["total"], region))
        await asyncio.sleep(0.5)
        await tools.screenshot(os.path.join(out_dir, "serve-nuclei.png"))
        # Zoomed out to the whole slide: CMU's 2220 x 2967 pixels are within the server's 4096² per request, so the
        # layer reads again after the (animated) move and draws every nucleus of the slide, as the results file holds
        # them (a larger view is refused by the server and the layer says to zoom in: ViewerHTTPTests).
        await tools.evaluate("window.tesseraViewer.viewport.goHome(), true")
        await tools.wait_for("(window.tesseraLayers.nuclei.region || [0, 0, 0, 0])[2] >= %d" % (info["width"] - 1),
                             what="the nuclei of the whole slide")
        everywhere = await tools.evaluate("document.querySelectorAll('.nuclei-overlay path.nucleus').length")
        slide_nuclei = await tools.evaluate("fetch('/api/slides/%s/nuclei?x=0&y=0&w=%d&h=%d').then(r => r.json())"
                                            % (slide_id, info["width"], info["height"]))
        check(everywhere == slide_nuclei["total"] and everywhere > drawn,
              "zoomed out, the layer reads the view again: every nucleus of the slide drawn (%d of %d)"
              % (everywhere, slide_nuclei["total"]))
        await tools.evaluate("document.getElementById('layer-nuclei').click(), true")
        hidden = await tools.evaluate("getComputedStyle(document.querySelector('.nuclei-overlay svg')).display === 'none'")
        check(hidden, "the nuclei switch hides the outlines")
        await tools.wait_for(SETTLED, what="home view again")

        # Places to look at, from the class map itself: for nuclei and for eosin-stroma, the heatmap pixel of that
        # class inside the tissue with the most neighbours of the same class (nuclei are small: 1-2 heatmap pixels
        # of 4 µm).
        classes = Image.open(classes_tiff)
        classes.seek(0)
        width, height = classes.size
        values = classes.load()

        def best_pixel(class_index):
            # Well inside the tissue (no unpredicted pixel within 12 heatmap pixels, about 50 µm): not the marking
            # ink along its edge, which the model also calls nuclei.
            best, best_count = None, 0
            for y in range(12, height - 12):
                for x in range(12, width - 12):
                    if values[x, y] != class_index:
                        continue
                    count = sum(values[x + dx, y + dy] == class_index for dx in (-1, 0, 1) for dy in (-1, 0, 1))
                    if count > best_count and all(values[x + dx, y + dy] != 255
                                                  for dx in range(-12, 13) for dy in range(-12, 13)):
                        best, best_count = (x, y), count
            return best, best_count

        downsample = info["layers"][0]["level0Width"] / width
        check(values[0, 0] == 255, "the class map has no prediction at the slide's corner (glass)")

        async def screen_point(x, y):
            return await tools.evaluate("""(() => { const v = window.tesseraViewer, w = %d;
                const p = v.viewport.pixelFromPoint(new OpenSeadragon.Point(%f / w, %f / w), true);
                const r = v.element.getBoundingClientRect();
                return [Math.round(p.x + r.left), Math.round(p.y + r.top)]; })()""" % (info["width"], x, y))

        async def settle(what):
            await tools.wait_for(SETTLED, what=what)
            await asyncio.sleep(0.5)

        async def look_at(x, y):
            # Centre the point and zoom in as far as the viewer allows (4 screen pixels per level-0 pixel: one
            # heatmap pixel is then about 32 screen pixels wide).
            await tools.evaluate("""(() => { const v = window.tesseraViewer, w = %d;
                v.viewport.panTo(new OpenSeadragon.Point(%f / w, %f / w), true);
                v.viewport.zoomTo(v.viewport.getMaxZoom(), null, true);
                return true; })()""" % (info["width"], x, y))
            await settle("zoomed tiles drawn")

        alpha = OVERLAY_ALPHA * OVERLAY_OPACITY
        centre = None
        for class_index, colour, name in ((NUCLEI, NUCLEI_RGB, "nuclei"), (STROMA, STROMA_RGB, "eosin-stroma")):
            spot, neighbours = best_pixel(class_index)
            check(spot is not None, "the class map has %s" % name)
            if spot is None:
                continue
            point = ((spot[0] + 0.5) * downsample, (spot[1] + 0.5) * downsample)
            if class_index == NUCLEI:
                centre = point
            await look_at(*point)
            xy = await screen_point(*point)
            on = await tools.screenshot(os.path.join(out_dir, "serve-%s-overlay-on.png" % name))
            await tools.evaluate("document.getElementById('layer-overlay').click(), true")
            await settle("redraw without the overlay")
            off = await tools.screenshot(os.path.join(out_dir, "serve-%s-overlay-off.png" % name))
            await tools.evaluate("document.getElementById('layer-overlay').click(), true")
            await settle("redraw with the overlay")
            on_again = await tools.screenshot(os.path.join(out_dir, "serve-%s-overlay-on-again.png" % name))

            slide_colour = patch_mean(off, *xy)
            overlay_colour = patch_mean(on, *xy)
            expected = tuple(slide_colour[c] * (1 - alpha) + colour[c] * alpha for c in range(3))
            print("      %s at heatmap pixel %s (%d of 9 neighbours alike), screen %s: slide %s, with overlay %s, "
                  "expected %s" % (name, spot, neighbours, xy, tuple(round(v) for v in slide_colour),
                                   tuple(round(v) for v in overlay_colour), tuple(round(v) for v in expected)))
            check(max(slide_colour) < 230, "tissue is drawn at the %s spot (not white: %s)" % (name, slide_colour))
            check(distance(overlay_colour, expected) < 15, "the overlay colours the %s spot in the class colour "
                  "at its opacity (off by %.1f)" % (name, distance(overlay_colour, expected)))
            check(distance(overlay_colour, slide_colour) > 20,
                  "switching the overlay off removes its colour at the %s spot (changes by %.1f)" % (
                      name, distance(overlay_colour, slide_colour)))
            check(distance(patch_mean(on_again, *xy), overlay_colour) < 3,
                  "switching the overlay on again brings the colour back at the %s spot" % name)
        if centre is None:
            return

        # Each switch holds through pans and zooms, and the pixels follow it: at the nuclei spot, the slide alone
        # with every layer off, the probability of nuclei coloured with its layer on.
        async def away_and_back():
            await tools.evaluate("""(() => { const v = window.tesseraViewer;
                v.viewport.zoomBy(0.25, null, true); v.viewport.panBy(new OpenSeadragon.Point(0.1, 0.05), true);
                return true; })()""")
            await settle("pan and zoom away")
            await look_at(*centre)
        await look_at(*centre)
        xy = await screen_point(*centre)
        await tools.evaluate("document.getElementById('layer-overlay').click(), true")
        await away_and_back()
        all_off = await tools.screenshot(os.path.join(out_dir, "serve-all-off.png"))
        await tools.evaluate("document.getElementById('layer-prob-%d').click(), true" % NUCLEI)
        await tools.wait_for("window.tesseraLayers['prob-%d'].item !== null" % NUCLEI, what="the nuclei probability layer")
        await away_and_back()
        probability_on = await tools.screenshot(os.path.join(out_dir, "serve-prob-nuclei-on.png"))
        await tools.evaluate("document.getElementById('layer-prob-%d').click(), true" % NUCLEI)
        await away_and_back()
        all_off_again = await tools.screenshot(os.path.join(out_dir, "serve-all-off-again.png"))
        slide_only = patch_mean(all_off, *xy)
        check(distance(slide_only, patch_mean(all_off_again, *xy)) < 3,
              "with every layer off after pans and zooms the slide's pixels are unchanged (%s)" % (slide_only,))
        check(distance(patch_mean(probability_on, *xy), slide_only) > 20,
              "the nuclei probability layer colours the nuclei spot, and stays on through pans and zooms")
        await tools.evaluate("document.getElementById('layer-overlay').click(), true")
        await settle("overlay back on")

        # Hovering shows the class and the probabilities under the cursor.
        for kind in ("mouseMoved",):
            await tools.call("Input.dispatchMouseEvent", {"type": kind, "x": xy[0], "y": xy[1]})
        await tools.wait_for("document.getElementById('hover').textContent.indexOf('p(nuclei)') >= 0",
                             what="the hover read-out")
        hovered = await tools.evaluate("document.getElementById('hover').textContent")
        check(hovered.startswith("nuclei") and "p(background)" in hovered,
              "hovering the nuclei spot reads its class and probabilities: %s" % hovered)

        # Whole-slide screenshot: glass is white, with or without the overlay (background is not drawn).
        await tools.evaluate("window.tesseraViewer.viewport.goHome(true), true")
        await settle("home view")
        home = await tools.screenshot(os.path.join(out_dir, "serve-home.png"))
        corner_xy = await screen_point(30, 30)
        corner = patch_mean(home, *corner_xy)
        check(min(corner) > 235, "the slide's glass corner is white with the overlay on (%s)" % (corner,))
        check(distance(patch_mean(whole, *corner_xy), corner) < 3, "the first view is the home view")

        # Click the nuclei spot: the panel shows its level-0 coordinates and the tile's row.
        await look_at(*centre)
        click_xy = await screen_point(*centre)
        for kind in ("mousePressed", "mouseReleased"):
            await tools.call("Input.dispatchMouseEvent", {"type": kind, "x": click_xy[0], "y": click_xy[1],
                                                          "button": "left", "clickCount": 1})
        await tools.wait_for("document.getElementById('point-table') !== null", what="the tile's row")
        text = await tools.evaluate("document.getElementById('point').innerText")
        match = re.search(r"level 0: x (\d+), y (\d+)", text)
        check(match is not None and abs(int(match.group(1)) - centre[0]) <= 2 and abs(int(match.group(2)) - centre[1]) <= 2,
              "the click shows level-0 coordinates near (%d, %d): %s" % (centre[0], centre[1], text.splitlines()[0]))
        check("nuclei" in text and "tissue" in text, "the click shows the tile's class fractions and tissue")
        await tools.screenshot(os.path.join(out_dir, "serve-click.png"))

        # The README's picture: a field of about 1 x 0.75 mm around the nuclei spot, overlay on, a tile clicked.
        await tools.evaluate("""(() => { const v = window.tesseraViewer, w = %d;
            v.viewport.fitBounds(new OpenSeadragon.Rect((%f - 700) / w, (%f - 700) / w, 1400 / w, 1400 / w), true);
            return true; })()""" % (info["width"], centre[0], centre[1]))
        await settle("README view")
        click_xy = await screen_point(*centre)
        for kind in ("mousePressed", "mouseReleased"):
            await tools.call("Input.dispatchMouseEvent", {"type": kind, "x": click_xy[0], "y": click_xy[1],
                                                          "button": "left", "clickCount": 1})
        await asyncio.sleep(1.0)
        await tools.screenshot(os.path.join(out_dir, "serve-readme.png"))

        # The nuclei density layer: every cell of the results file's grid with a density drawn, each in the colour
        # of its density, where it lies on the slide (read from the results file here, not from the server).
        results = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(classes_tiff))), "results.sqlite")
        with sqlite3.connect("file:%s?mode=ro" % results, uri=True) as db:
            cells = db.execute("SELECT cell_x, cell_y, cell_level0_px, nuclei_per_mm2_tissue, tissue_fraction "
                               "FROM slide_nuclei_density WHERE slide_run_id = ? AND nuclei_per_mm2_tissue IS NOT NULL",
                               (int(slide_id),)).fetchall()
        check(len(cells) > 20, "the results file holds a nuclei density grid (%d cells with a density)" % len(cells))
        await tools.wait_for("window.tesseraLayers.nucleiDensity && window.tesseraLayers.nucleiDensity.grid !== null",
                             what="the nuclei density grid")
        drawn_cells = await tools.evaluate("window.tesseraLayers.nucleiDensity.drawn")
        check(drawn_cells == len(cells), "the density layer draws every cell with a density (%d of %d)"
              % (drawn_cells, len(cells)))
        densities = sorted(c[3] for c in cells)
        high = densities[min(len(densities) - 1, int(len(densities) * 0.99))]
        step = 10 ** int(math.floor(math.log10(max(high, 1))))
        scale = max(step, math.ceil(high / step) * step)
        legend = await tools.evaluate("document.getElementById('nuclei-density-scale').textContent")
        check(legend.endswith("≥ %d" % scale), "the legend states the density scale, ≥ %d per mm² (%s)" % (scale, legend))
        await tools.evaluate("window.tesseraViewer.viewport.goHome(true), true")
        await settle("home view for the density layer")
        off = await tools.screenshot(os.path.join(out_dir, "serve-density-off.png"))
        await tools.evaluate("document.getElementById('layer-nuclei-density').click(), true")
        await settle("density layer drawn")
        on = await tools.screenshot(os.path.join(out_dir, "serve-density-on.png"))
        # The densest and the sparsest whole-tissue cells: far apart on the colour map, so a swap would show.
        interior = sorted((c for c in cells if c[4] > 0.95), key=lambda c: c[3])
        check(len(interior) >= 2, "the grid has cells wholly in tissue")
        for cell in (interior[0], interior[-1]) if len(interior) >= 2 else ():
            x, y, side, density = cell[0], cell[1], cell[2], cell[3]
            xy = await screen_point((x + 0.5) * side, (y + 0.5) * side)
            colour = await tools.evaluate("window.tesseraLayers.nucleiDensity.colourOf(%f)" % density)
            under, drawn = patch_mean(off, *xy), patch_mean(on, *xy)
            expected = tuple(colour[c] * DENSITY_OPACITY + under[c] * (1 - DENSITY_OPACITY) for c in range(3))
            check(distance(drawn, expected) < 12, "the density cell (%d, %d), %.0f per mm², is drawn in its colour "
                  "(screen %s, expected %s)" % (x, y, density, tuple(round(v) for v in drawn),
                                                tuple(round(v) for v in expected)))
        first = await tools.evaluate("window.tesseraLayers.nucleiDensity.colourOf(0)")
        top = await tools.evaluate("window.tesseraLayers.nucleiDensity.colourOf(%d)" % (scale * 2))
        stops = info["colourMap"]
        check("#%02x%02x%02x" % tuple(first) == stops[0] and "#%02x%02x%02x" % tuple(top) == stops[-1],
              "the density colours run from the colour map's first stop at 0 to its last at the scale and above")
        await tools.evaluate("document.getElementById('layer-nuclei-density').click(), true")
        await settle("density layer off")
        # The QC layer: off by default, its legend lists the kinds; on, the QC map's most solidly flagged pixel is
        # drawn in its kind's colour at the layer's opacity (0.6) over whatever is below; off again, it goes.
        qc_layer = [layer for layer in info["layers"] if layer["kind"] == "qc"]
        check(len(qc_layer) == 1, "the slide has a QC layer")
        legend_rows = await tools.evaluate("document.querySelectorAll('#qc-legend .legend-row').length")
        check(legend_rows == 4, "the QC legend lists four artefact kinds (%s)" % legend_rows)
        check(await tools.evaluate("document.getElementById('layer-qc').checked === false"), "the QC layer starts off")
        qc_tiff = classes_tiff.replace(".classes.tif", ".qc.tif")
        qc_map = Image.open(qc_tiff)
        qc_map.seek(0)
        qc_width, qc_height = qc_map.size
        qc_values = qc_map.load()
        kinds = [entry["name"] for entry in qc_layer[0]["legend"]] if qc_layer else []
        colours = [tuple(int(entry["colour"][i:i + 2], 16) for i in (1, 3, 5)) for entry in qc_layer[0]["legend"]] if qc_layer else []
        best, best_count = None, 0
        for y in range(3, qc_height - 3):
            for x in range(3, qc_width - 3):
                value = qc_values[x, y]
                if value == 0:
                    continue
                count = sum(qc_values[x + dx, y + dy] == value for dx in range(-3, 4) for dy in range(-3, 4))
                if count > best_count:
                    best, best_count = (x, y), count
        check(best is not None, "the QC map of CMU-1-Small-Region flags some pixels")
        if best is not None and qc_layer:
            value = qc_values[best]
            kind = min(k for k in range(len(kinds)) if value & (1 << k))
            qc_downsample = qc_layer[0]["level0Width"] / qc_width
            point = ((best[0] + 0.5) * qc_downsample, (best[1] + 0.5) * qc_downsample)
            await look_at(*point)
            xy = await screen_point(*point)
            qc_off = await tools.screenshot(os.path.join(out_dir, "serve-qc-off.png"))
            await tools.evaluate("document.getElementById('layer-qc').click(), true")
            await tools.wait_for("window.tesseraLayers.qc.item !== null", what="the QC layer")
            await settle("redraw with the QC layer")
            qc_on = await tools.screenshot(os.path.join(out_dir, "serve-qc-on.png"))
            await tools.evaluate("document.getElementById('layer-qc').click(), true")
            await settle("redraw without the QC layer")
            qc_off_again = await tools.screenshot(os.path.join(out_dir, "serve-qc-off-again.png"))
            below, drawn = patch_mean(qc_off, *xy), patch_mean(qc_on, *xy)
            expected = tuple(below[c] * 0.4 + colours[kind][c] * 0.6 for c in range(3))
            print("      QC %s at map pixel %s (value %d, %d of 49 alike), screen %s: below %s, with QC %s, expected %s" % (
                kinds[kind], best, value, best_count, xy, tuple(round(v) for v in below),
                tuple(round(v) for v in drawn), tuple(round(v) for v in expected)))
            check(distance(drawn, expected) < 15, "the QC layer colours a flagged pixel in the %s colour at its "
                  "opacity (off by %.1f)" % (kinds[kind], distance(drawn, expected)))
            check(distance(patch_mean(qc_off_again, *xy), below) < 3, "switching the QC layer off removes its colour")

        # The console check can fail: an error logged on purpose is seen (then left out of the verdict).
        await tools.evaluate("console.error('tessera check-viewer probe'), true")
        await asyncio.sleep(0.5)
        probe = [p for p in tools.problems if "tessera check-viewer probe" in p]
        check(len(probe) == 1, "the console watch sees an error logged on purpose")
        tools.problems = [p for p in tools.problems if p not in probe]

        await asyncio.sleep(0.5)
        check(not tools.problems, "no console errors or failed requests%s" % (
            "" if not tools.problems else ": " + "; ".join(tools.problems[:5])))
        listener.cancel()


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    chromium, base, slide_id, classes_tiff, out_dir = sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="tessera-chromium-")
    browser = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile,
         "--window-size=%d,%d" % (WIDTH, HEIGHT), "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        ws = None
        for line in browser.stderr:
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                ws = match.group(1)
                break
        if ws is None:
            print("chromium did not start (no DevTools address on its stderr)", file=sys.stderr)
            return 1
        # Keep reading chromium's stderr so that a full pipe never blocks it.
        threading.Thread(target=lambda: [None for _ in browser.stderr], daemon=True).start()
        asyncio.run(asyncio.wait_for(run_checks(ws, base, slide_id, classes_tiff, out_dir), 300))
    except Exception as error:  # a check that cannot run is a failure, with the reason
        failures.append("the browser check could not run: %r" % (error,))
        print("FAIL  " + failures[-1])
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)
    print("%d failures" % len(failures) if failures else "all browser checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
