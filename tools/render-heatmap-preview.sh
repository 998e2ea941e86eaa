#!/usr/bin/env bash
# Renders a PNG of a slide next to its Tessera colour overlay, from the heatmap TIFF `tessera run` wrote (with vips):
#   tools/render-heatmap-preview.sh SLIDE OVERLAY.tif OUT.png [SCALE]
# The slide is read through OpenSlide and shrunk to the overlay's size (the heatmap's downsample d), so that each
# heatmap pixel lands on the slide region it describes; SCALE (default 2) enlarges both for viewing.
set -euo pipefail
slide=$1 overlay=$2 out=$3 scale=${4:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
width=$(vipsheader -f width "$overlay")
height=$(vipsheader -f height "$overlay")
vips openslideload "$slide" "$work/slide.v"
# Shrink the slide to exactly the overlay's pixel grid, and drop OpenSlide's alpha band.
vips thumbnail_image "$work/slide.v" "$work/small.v" "$width" --height "$height" --size force
vips extract_band "$work/small.v" "$work/rgb.v" 0 --n 3
vips bandjoin_const "$work/rgb.v" "$work/rgba.v" 255
vips composite2 "$work/rgba.v" "$overlay" "$work/over.v" over
vips flatten "$work/over.v" "$work/over-rgb.v"
vips join "$work/rgb.v" "$work/over-rgb.v" "$work/pair.v" horizontal --shim 8 --background 255
vips resize "$work/pair.v" "$out" "$scale" --kernel nearest
echo "$out"
