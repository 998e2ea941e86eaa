// The slide viewer: OpenSeadragon over the slide's Deep Zoom tiles, the run's heatmaps as layers above it (each
// with a switch and an opacity), the class legend, a scale bar from the slide's resolution, and the results-file row
// of the tile under a click. Everything comes from this server's /api/slides/ID; no other site is contacted.
(function () {
  'use strict';
  var id = location.pathname.split('/').filter(Boolean)[1];
  var message = document.getElementById('message');

  function showMessage(text) {
    message.textContent = text;
    message.className = 'shown';
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function number(value, digits) {
    return value === null || value === undefined ? '–' : Number(value).toFixed(digits);
  }

  fetch('/api/slides/' + encodeURIComponent(id))
    .then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error ? body.error.message : response.statusText); }
        return body;
      });
    })
    .then(start)
    .catch(function (error) { showMessage('This slide cannot be shown: ' + error.message); });

  function start(info) {
    document.title = info.name + ' – Tessera';
    document.getElementById('title').textContent = info.name;
    var status = document.getElementById('status');
    status.textContent = info.status;
    status.className = 'status status-' + info.status;
    document.getElementById('facts').textContent = info.path + ' · ' + info.width + ' × ' + info.height + ' px' +
      (info.mppX ? ' · ' + info.mppX.toFixed(3) + ' µm/px' +
        (info.mppSource && info.mppSource !== 'file' ? ' (stated by a person, not the file)' : '') : '') +
      ' · run ' + info.runUID.slice(0, 8) + (info.current ? '' : ' · superseded: the file now holds other content');
    if (info.error) { showMessage('The run failed on this slide: ' + info.error); }
    // Why the numbers need a person's eye (review_flags), at the top of the page.
    if (info.review && info.review.length) {
      showMessage('Needs review: ' + info.review.map(function (flag) { return flag.message; }).join(' · '));
    }
    if (!info.slide.available) { showMessage('The slide image cannot be shown: ' + info.slide.message); }

    var viewer = OpenSeadragon({
      id: 'viewer',
      prefixUrl: '/static/vendor/openseadragon/images/',
      tileSources: info.slide.available ? [info.slide.dzi] : [],
      drawer: 'canvas',
      showNavigator: true,
      showRotationControl: false,
      maxZoomPixelRatio: 4,
      gestureSettingsMouse: { clickToZoom: false },
      preserveImageSizeOnResize: true
    });
    window.tesseraViewer = viewer;
    window.tesseraLayers = {};

    if (info.mppX) {
      viewer.scalebar({
        type: OpenSeadragon.ScalebarType.MICROSCOPY,
        pixelsPerMeter: 1e6 / info.mppX,
        referenceItemIdx: 0,
        minWidth: '120px',
        location: OpenSeadragon.ScalebarLocation.BOTTOM_LEFT,
        xOffset: 10, yOffset: 10,
        color: '#1d2330', fontColor: '#1d2330', backgroundColor: 'rgba(255,255,255,0.8)',
        barThickness: 3
      });
    }

    // Probability layers first (lowest), the class overlay above them, the QC artefacts on top.
    var ordered = info.layers.filter(function (l) { return l.kind === 'probability'; })
      .concat(info.layers.filter(function (l) { return l.kind === 'overlay'; }))
      .concat(info.layers.filter(function (l) { return l.kind === 'qc'; }));
    var addLayers = function () {
      ordered.forEach(function (layer) { addLayer(viewer, info, layer); });
      if (info.regions) { addRegions(viewer, info); }
      if (info.nuclei) { addNuclei(viewer, info); }
      if (info.nucleiDensity) { addNucleusDensity(viewer, info); }
    };
    if (info.slide.available) { viewer.addOnceHandler('open', addLayers); } else { addLayers(); }
    if (info.layers.length === 0) {
      document.getElementById('layers').textContent = 'No heatmaps for this slide in the output folder.';
    }
    legend(info);
    qcLegend(info);
    hover(viewer, info);
    viewer.addHandler('canvas-click', function (event) {
      if (!event.quick) { return; }
      var point = viewer.viewport.pointFromPixel(event.position);
      showPoint(viewer, info, Math.floor(point.x * info.width), Math.floor(point.y * info.width));
    });
  }

  function addLayer(viewer, info, layer) {
    var isOverlay = layer.kind === 'overlay';
    // Only a probability layer has a threshold (the class overlay and the QC layer are drawn as written).
    var thresholded = layer.kind === 'probability';
    // minimum: the probability (0-255) below which a probability layer is transparent (the server's default, 26).
    var state = { visible: isOverlay, opacity: isOverlay ? 0.7 : 0.6, item: null, minimum: 26 };
    window.tesseraLayers[layer.id] = state;
    var apply = function () { if (state.item) { state.item.setOpacity(state.visible ? state.opacity : 0); } };
    // The layer's Deep Zoom image for the current threshold; a new threshold is another image, loaded in place of
    // the old one at the same position in the stack.
    var load = function () {
      var url = !thresholded ? layer.dzi : layer.dzi.replace(/image\.dzi$/, 'min/' + state.minimum + '/image.dzi');
      var old = state.item;
      var index = old ? viewer.world.getIndexOfItem(old) : undefined;
      viewer.addTiledImage({
        tileSource: url,
        x: 0, y: 0,
        width: layer.level0Width / info.width,
        opacity: 0,
        index: index,
        success: function (event) {
          state.item = event.item;
          if (old) { viewer.world.removeItem(old); }
          apply();
        },
        error: function () { showMessage('The heatmap layer ' + layer.title + ' cannot be loaded.'); }
      });
    };
    load();

    var box = element('div', { class: 'layer' });
    var label = element('label');
    var toggle = element('input', { type: 'checkbox', id: 'layer-' + layer.id });
    toggle.checked = state.visible;
    toggle.addEventListener('change', function () { state.visible = toggle.checked; apply(); });
    label.appendChild(toggle);
    label.appendChild(document.createTextNode(layer.title));
    var slider = element('input', { type: 'range', min: '0', max: '100', value: String(state.opacity * 100),
                                    id: 'opacity-' + layer.id, 'aria-label': layer.title + ' opacity' });
    slider.addEventListener('input', function () { state.opacity = slider.value / 100; apply(); });
    box.appendChild(label);
    box.appendChild(slider);
    if (thresholded) {
      // Transparent below a probability the user chooses, so glass and unlikely pixels show the slide.
      var threshold = element('input', { type: 'range', min: '0', max: '100', value: String(Math.round(state.minimum / 2.55)),
                                         id: 'threshold-' + layer.id, 'aria-label': layer.title + ' threshold' });
      var thresholdLabel = element('span', { class: 'threshold' }, 'show p ≥ ' + (threshold.value / 100).toFixed(2));
      threshold.addEventListener('input', function () {
        thresholdLabel.textContent = 'show p ≥ ' + (threshold.value / 100).toFixed(2);
      });
      threshold.addEventListener('change', function () {
        state.minimum = Math.round(threshold.value * 2.55);
        load();
      });
      box.appendChild(thresholdLabel);
      box.appendChild(threshold);
    }
    document.getElementById('layers').appendChild(box);
  }

  // The class and probabilities under the cursor, from the run's recorded maps (/api/slides/ID/pixel), asked at
  // most every 150 ms and only for the latest position.
  function hover(viewer, info) {
    var panel = document.getElementById('hover');
    var pending = null, busy = false;
    var ask = function () {
      if (busy || !pending) { return; }
      var point = pending;
      pending = null;
      busy = true;
      fetch('/api/slides/' + id + '/pixel?x=' + point.x + '&y=' + point.y)
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) { return; }
          if (answer.className === undefined || answer.className === null) {
            panel.textContent = 'no prediction here (' + Math.round(point.x) + ', ' + Math.round(point.y) + ')';
            return;
          }
          panel.textContent = answer.className + ' · ' + answer.probabilities.map(function (p) {
            return 'p(' + p.name + ') ' + p.probability.toFixed(2);
          }).join(' · ');
        })
        .catch(function () {})
        .then(function () { busy = false; setTimeout(ask, 150); });
    };
    new OpenSeadragon.MouseTracker({
      element: viewer.element,
      moveHandler: function (event) {
        var point = viewer.viewport.pointFromPixel(event.position);
        var x = point.x * info.width, y = point.y * info.width;
        if (x < 0 || y < 0 || x >= info.width || y >= info.height) { return; }
        pending = { x: Math.floor(x), y: Math.floor(y) };
        ask();
      }
    });
    window.tesseraHover = panel;
  }

  function legend(info) {
    var legendBox = document.getElementById('legend');
    info.classes.forEach(function (modelClass) {
      var row = element('div', { class: 'legend-row' });
      var transparent = modelClass.index === 0 && modelClass.name.toLowerCase() === 'background';
      row.appendChild(element('span', { class: 'swatch', style: 'background:' +
        (transparent ? 'transparent' : modelClass.colour) }));
      row.appendChild(document.createTextNode(modelClass.name + (transparent ? ' (not drawn)' : '')));
      legendBox.appendChild(row);
    });
    if (info.layers.some(function (l) { return l.kind === 'probability'; })) {
      legendBox.appendChild(element('div', { style: 'margin-top:8px' }, 'probability'));
      legendBox.appendChild(element('div', { class: 'colour-map',
        style: 'background: linear-gradient(to right, ' + info.colourMap.join(', ') + ')' }));
      var labels = element('div', { class: 'colour-map-labels' });
      ['0', '0.5', '1'].forEach(function (text) { labels.appendChild(element('span', {}, text)); });
      legendBox.appendChild(labels);
    }
  }

  // The QC layer's artefact kinds in their colours (the layer's own legend, from the QC map's file).
  function qcLegend(info) {
    var qc = info.layers.filter(function (l) { return l.kind === 'qc'; })[0];
    if (!qc || !qc.legend) { return; }
    var legendBox = document.getElementById('legend');
    var box = element('div', { id: 'qc-legend', style: 'margin-top:8px' });
    box.appendChild(element('div', {}, 'QC artefacts'));
    qc.legend.forEach(function (kind) {
      var row = element('div', { class: 'legend-row' });
      row.appendChild(element('span', { class: 'swatch', style: 'background:' + kind.colour }));
      row.appendChild(document.createTextNode(kind.name));
      box.appendChild(row);
    });
    legendBox.appendChild(box);
  }

  var outline = null;

  function showPoint(viewer, info, x, y) {
    var panel = document.getElementById('point');
    if (x < 0 || y < 0 || x >= info.width || y >= info.height) {
      panel.textContent = 'Outside the slide.';
      return;
    }
    fetch('/api/slides/' + encodeURIComponent(id) + '/tile-at?x=' + x + '&y=' + y)
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        panel.textContent = '';
        panel.appendChild(element('div', { id: 'point-coordinates' }, 'level 0: x ' + answer.x + ', y ' + answer.y +
          (info.mppX ? ' (' + (answer.x * info.mppX / 1000).toFixed(3) + ' mm, ' +
                       (answer.y * info.mppY / 1000).toFixed(3) + ' mm)' : '')));
        if (outline) { viewer.removeOverlay(outline); outline = null; }
        if (!answer.tile) {
          panel.appendChild(element('div', {}, 'No analysed tile here (no tissue, or not analysed).'));
          return;
        }
        var tile = answer.tile;
        panel.appendChild(element('div', {}, 'tile ' + tile.tileIndex + ': ' + tile.width + ' × ' + tile.height +
          ' px at (' + tile.x + ', ' + tile.y + '), tissue ' + (tile.tissueFraction * 100).toFixed(1) + '%'));
        var table = element('table', { id: 'point-table' });
        var head = element('tr');
        ['class', 'area', 'mean p'].forEach(function (text) { head.appendChild(element('th', {}, text)); });
        table.appendChild(head);
        tile.predictions.forEach(function (p) {
          var row = element('tr');
          var name = element('td');
          name.appendChild(element('span', { class: 'swatch', style: 'background:' + p.colour }));
          name.appendChild(document.createTextNode(p.className));
          row.appendChild(name);
          row.appendChild(element('td', {}, (p.areaFraction * 100).toFixed(1) + '%'));
          row.appendChild(element('td', {}, number(p.meanProbability, 3)));
          table.appendChild(row);
        });
        panel.appendChild(table);
        outline = element('div', { class: 'tile-outline' });
        viewer.addOverlay({ element: outline, location: new OpenSeadragon.Rect(tile.x / info.width,
          tile.y / info.width, tile.width / info.width, tile.height / info.width) });
      })
      .catch(function (error) { panel.textContent = 'Could not read the tile: ' + error.message; });
  }

  // Regions from `tessera export geojson`, drawn as outlines in an SVG laid over the slide (level-0 coordinates).
  function addRegions(viewer, info) {
    fetch(info.regions).then(function (response) { return response.json(); }).then(function (collection) {
      var svgNS = 'http://www.w3.org/2000/svg';
      var svg = slideOverlaySVG(viewer, info, 'regions-overlay');
      var count = 0;
      // The file is in QuPath's frame: level-0 less the slide's OpenSlide bounds (tessera.qupath_frame.offset).
      var offset = ((collection.tessera || {}).qupath_frame || {}).offset || [0, 0];
      (collection.features || []).forEach(function (feature) {
        // Nuclei (detections with a nucleus measurement) are drawn by the nuclei layer, a view's worth at a time.
        if ((((feature.properties || {}).measurements) || {})['Tessera: nucleus area \u00b5m^2'] !== undefined) { return; }
        var classification = (feature.properties || {}).classification || {};
        var colour = Array.isArray(classification.color) ? 'rgb(' + classification.color.join(',') + ')' : '#ffb000';
        polygonsOf(feature.geometry).forEach(function (rings) {
          var path = document.createElementNS(svgNS, 'path');
          path.setAttribute('d', rings.map(function (ring) {
            return 'M' + ring.map(function (p) { return (p[0] + offset[0]) + ' ' + (p[1] + offset[1]); }).join('L') + 'Z';
          }).join(''));
          path.setAttribute('fill', 'none');
          path.setAttribute('stroke', colour);
          path.setAttribute('stroke-width', '2');
          path.setAttribute('vector-effect', 'non-scaling-stroke');
          svg.appendChild(path);
          count += 1;
        });
      });
      var state = { visible: false };
      window.tesseraLayers.regions = state;
      svgSwitch('layer-regions', 'regions (GeoJSON, ' + count + ')', svg, state);
    }).catch(function (error) { showMessage('The GeoJSON regions cannot be drawn: ' + error.message); });
  }

  // Nuclei from the results file, drawn as outlines when zoomed in: only those in view, read again after each pan
  // or zoom (the server answers for at most 4096 x 4096 level-0 pixels at a time), never the whole slide's.
  function addNuclei(viewer, info) {
    var svgNS = 'http://www.w3.org/2000/svg';
    var svg = slideOverlaySVG(viewer, info, 'nuclei-overlay');
    var colours = {};
    info.classes.forEach(function (c) { colours[c.index] = c.colour; });
    var state = { visible: false, drawn: 0, total: 0, region: null };
    window.tesseraLayers.nuclei = state;
    var note = element('span', { class: 'layer-note', id: 'nuclei-note' });
    var request = 0;
    var refresh = function () {
      if (!state.visible) { return; }
      var bounds = viewer.viewport.getBounds(true);
      var x = Math.max(0, Math.floor(bounds.x * info.width)), y = Math.max(0, Math.floor(bounds.y * info.width));
      var w = Math.min(info.width, Math.ceil((bounds.x + bounds.width) * info.width)) - x;
      var h = Math.min(info.height, Math.ceil((bounds.y + bounds.height) * info.width)) - y;
      if (w <= 0 || h <= 0 || w * h > 4096 * 4096) {
        while (svg.firstChild) { svg.removeChild(svg.firstChild); }
        state.drawn = 0; state.total = 0; state.region = null;
        note.textContent = ' zoom in to see nuclei';
        return;
      }
      var mine = ++request;
      fetch(info.nuclei + '?x=' + x + '&y=' + y + '&w=' + w + '&h=' + h)
        .then(function (response) {
          if (!response.ok) { return response.text().then(function (t) { throw new Error(t); }); }
          return response.json();
        })
        .then(function (answer) {
          if (mine !== request) { return; }   // a later view's answer is on its way
          while (svg.firstChild) { svg.removeChild(svg.firstChild); }
          answer.nuclei.forEach(function (nucleus) {
            var points = [];
            for (var i = 0; i + 1 < nucleus.outline.length; i += 2) { points.push(nucleus.outline[i] + ' ' + nucleus.outline[i + 1]); }
            var path = document.createElementNS(svgNS, 'path');
            path.setAttribute('d', 'M' + points.join('L') + 'Z');
            path.setAttribute('fill', 'none');
            path.setAttribute('stroke', nucleus.regionClass !== null && nucleus.regionClass !== undefined
              ? (colours[nucleus.regionClass] || '#00e5ff') : '#00e5ff');
            path.setAttribute('stroke-width', '1.5');
            path.setAttribute('vector-effect', 'non-scaling-stroke');
            path.setAttribute('class', 'nucleus');
            svg.appendChild(path);
          });
          state.drawn = answer.nuclei.length; state.total = answer.total; state.region = [x, y, w, h];
          note.textContent = ' ' + answer.nuclei.length + (answer.truncated ? ' of ' + answer.total : '') + ' in view';
        })
        .catch(function (error) { showMessage('The nuclei cannot be drawn: ' + error.message); });
    };
    viewer.addHandler('animation-finish', refresh);
    svgSwitch('layer-nuclei', 'nuclei (outlines, zoomed in)', svg, state, function (on) {
      if (on) { refresh(); } else { note.textContent = ''; }
    }).appendChild(note);
  }

  // Nuclei per mm² of tissue on the run's density grid (slide_nuclei_density), one square per cell in the colour
  // map's colours from 0 to a scale the legend states: the 99th percentile of the slide's cell densities, rounded
  // up, so that one outlying cell does not wash the rest out (denser cells take the top colour). Cells without a
  // density (under a quarter tissue) are clear. The grid is small, so it is drawn whole into one image.
  function addNucleusDensity(viewer, info) {
    var svgNS = 'http://www.w3.org/2000/svg';
    var svg = slideOverlaySVG(viewer, info, 'nuclei-density-overlay');
    var state = { visible: false, drawn: 0, scale: null, grid: null };
    window.tesseraLayers.nucleiDensity = state;
    var box = svgSwitch('layer-nuclei-density', 'nuclei per mm² of tissue', svg, state);
    fetch(info.nucleiDensity)
      .then(function (response) {
        if (!response.ok) { return response.text().then(function (t) { throw new Error(t); }); }
        return response.json();
      })
      .then(function (grid) {
        var densities = grid.cells.filter(function (c) { return c.nucleiPerMM2Tissue !== undefined; })
          .map(function (c) { return c.nucleiPerMM2Tissue; }).sort(function (a, b) { return a - b; });
        var high = densities.length ? densities[Math.min(densities.length - 1, Math.floor(densities.length * 0.99))] : 0;
        var step = Math.pow(10, Math.floor(Math.log10(Math.max(high, 1))));
        var scale = Math.max(step, Math.ceil(high / step) * step);
        var stops = info.colourMap.map(function (hex) {
          return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
        });
        var colourOf = function (value) {
          var t = Math.min(1, Math.max(0, value / scale)) * (stops.length - 1);
          var i = Math.min(stops.length - 2, Math.floor(t)), f = t - i;
          return stops[i].map(function (c, k) { return Math.round(c + (stops[i + 1][k] - c) * f); });
        };
        var canvas = document.createElement('canvas');
        canvas.width = grid.columns; canvas.height = grid.rows;
        var context = canvas.getContext('2d');
        var pixels = context.createImageData(grid.columns, grid.rows);
        grid.cells.forEach(function (cell) {
          if (cell.nucleiPerMM2Tissue === undefined) { return; }
          var colour = colourOf(cell.nucleiPerMM2Tissue), at = (cell.cellY * grid.columns + cell.cellX) * 4;
          pixels.data[at] = colour[0]; pixels.data[at + 1] = colour[1]; pixels.data[at + 2] = colour[2];
          pixels.data[at + 3] = 255;
          state.drawn += 1;
        });
        context.putImageData(pixels, 0, 0);
        var image = document.createElementNS(svgNS, 'image');
        image.setAttribute('href', canvas.toDataURL('image/png'));
        image.setAttribute('x', '0'); image.setAttribute('y', '0');
        image.setAttribute('width', String(grid.columns * grid.cellLevel0Pixels));
        image.setAttribute('height', String(grid.rows * grid.cellLevel0Pixels));
        image.setAttribute('preserveAspectRatio', 'none');
        image.setAttribute('opacity', '0.7');
        image.style.imageRendering = 'pixelated';
        svg.appendChild(image);
        state.scale = scale; state.grid = grid; state.colourOf = colourOf;
        var legendBox = document.getElementById('legend');
        legendBox.appendChild(element('div', { style: 'margin-top:8px' },
          'nuclei per mm² of tissue (' + grid.cellMicrons + ' µm cells)'));
        legendBox.appendChild(element('div', { class: 'colour-map',
          style: 'background: linear-gradient(to right, ' + info.colourMap.join(', ') + ')' }));
        var labels = element('div', { class: 'colour-map-labels', id: 'nuclei-density-scale' });
        ['0', String(scale / 2), '≥ ' + scale].forEach(function (text) { labels.appendChild(element('span', {}, text)); });
        legendBox.appendChild(labels);
      })
      .catch(function (error) {
        box.appendChild(element('span', { class: 'layer-note' }, ' not recorded for this run'));
        state.error = error.message;
      });
  }

  // An SVG in level-0 coordinates over the whole slide, hidden until its switch turns it on (outlines are an extra
  // over the heatmaps). OpenSeadragon sets the overlay element's own display at every redraw, so the switch acts on
  // the SVG inside it, which it never touches: the state holds through pans and zooms.
  function slideOverlaySVG(viewer, info, className) {
    var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 ' + info.width + ' ' + info.height);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('width', '100%');
    svg.setAttribute('height', '100%');
    svg.style.pointerEvents = 'none';
    svg.style.display = 'none';
    var holder = element('div', { class: className });
    holder.style.pointerEvents = 'none';
    holder.appendChild(svg);
    viewer.addOverlay({ element: holder, location: new OpenSeadragon.Rect(0, 0, 1, info.height / info.width) });
    return svg;
  }

  // A switch in the layers panel that shows and hides `svg` and keeps `state.visible`; `changed(on)` runs after.
  // Returns the switch's box (for a note beside it).
  function svgSwitch(id, text, svg, state, changed) {
    var box = element('div', { class: 'layer' });
    var label = element('label');
    var toggle = element('input', { type: 'checkbox', id: id });
    toggle.checked = false;
    toggle.addEventListener('change', function () {
      state.visible = toggle.checked;
      svg.style.display = toggle.checked ? '' : 'none';
      if (changed) { changed(toggle.checked); }
    });
    label.appendChild(toggle);
    label.appendChild(document.createTextNode(text));
    box.appendChild(label);
    document.getElementById('layers').appendChild(box);
    return box;
  }

  function polygonsOf(geometry) {
    if (!geometry) { return []; }
    switch (geometry.type) {
      case 'Polygon': return [geometry.coordinates];
      case 'MultiPolygon': return geometry.coordinates;
      case 'GeometryCollection': return geometry.geometries.reduce(function (all, g) { return all.concat(polygonsOf(g)); }, []);
      default: return [];
    }
  }
})();
