import Foundation
import TesseraCore
import TesseraHeatmap
import TesseraQC
import TesseraSlide
import TesseraStore

/// Slide quality control in a run (issue 26): which checks run, at what resolution, and what the verdict's
/// thresholds are. On by default; its values enter the parameters hash.
public struct QCSettings: Sendable, Codable, Equatable {
    /// Run the checks (`--no-qc` turns them off).
    public var enabled: Bool = true
    /// The resolution of the image the checks look at, µm per pixel: 2 suits all four (blur wants 1-2, bubble edges
    /// 1-4, pen and folds 2-8). Never finer than the slide; coarser when the tissue's bounding box would exceed
    /// `maximumPixels`.
    public var micronsPerPixel: Double = 2
    /// The most pixels of the QC image: the checks' memory is about 8 bytes a pixel (the RGB image, the tissue and
    /// the checks' masks; their float planes hold a strip of rows; measured, BENCHMARKS.md), so 16 Mi pixels hold it
    /// near 130 MiB whatever the slide's size.
    public var maximumPixels: Int = 16_777_216
    public var thresholds = QCVerdictThresholds()
    /// Report class areas and shares without artefact-flagged tissue. Not hashed: the records are the same, only
    /// which of the two figures the run reports changes.
    public var excludeArtefacts: Bool = false

    public init() {}

    private enum CodingKeys: String, CodingKey { case enabled, micronsPerPixel, maximumPixels, thresholds, excludeArtefacts }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        micronsPerPixel = try c.decodeIfPresent(Double.self, forKey: .micronsPerPixel) ?? 2
        maximumPixels = try c.decodeIfPresent(Int.self, forKey: .maximumPixels) ?? 16_777_216
        thresholds = try c.decodeIfPresent(QCVerdictThresholds.self, forKey: .thresholds) ?? QCVerdictThresholds()
        excludeArtefacts = try c.decodeIfPresent(Bool.self, forKey: .excludeArtefacts) ?? false
    }

    /// The checks a run uses (TesseraQC's standard four, with their default parameters).
    public var checks: [any QualityCheck] { QualityChecks.standard }

    /// What enters the parameters hash: the resolution, the pixel cap, the thresholds and every check's parameters.
    struct Hashed: Codable {
        var micronsPerPixel: Double
        var maximumPixels: Int
        var thresholds: QCVerdictThresholds
        var pen = PenMarkCheck()
        var blur = BlurCheck()
        var fold = FoldCheck()
        var bubbleEdge = BubbleEdgeCheck()
    }

    var hashed: Hashed? {
        enabled ? Hashed(micronsPerPixel: micronsPerPixel, maximumPixels: maximumPixels, thresholds: thresholds) : nil
    }
}

/// Where a slide's QC found artefacts inside its tissue, on the QC image's grid: what the stitch stage counts under
/// each model pixel, so a class's flagged area is measured on the pixels its tissue area is.
public struct ArtefactGrid: Sendable {
    /// Level-0 position of the grid's first pixel.
    public let originX: Double
    public let originY: Double
    public let level0PerPixel: Double
    public let width: Int
    public let height: Int
    /// 1 where tissue lies under some artefact, row-major.
    public let flagged: [UInt8]

    /// Whether the grid pixel holding level-0 point (x, y) is flagged (false outside the grid).
    @inline(__always)
    public func isFlagged(level0X x: Double, level0Y y: Double) -> Bool {
        let u = (x - originX) / level0PerPixel, v = (y - originY) / level0PerPixel
        guard u >= 0, v >= 0 else { return false }
        let column = Int(u), row = Int(v)
        guard column < width, row < height else { return false }
        return flagged[row * width + column] != 0
    }
}

/// Where the QC found each kind, glass included, on the QC image's grid (`ArtefactGrid`'s): one bit per kind, what
/// `<slide>.sr<N>.qc.tif` is written from (`QCMaskFile` says how the bits read).
public struct QCArtefactMap: Sendable {
    /// The kinds in bit order (at most `QCMaskFile.maximumKinds`).
    public let kinds: [ArtefactKind]
    public let originX: Double
    public let originY: Double
    public let level0PerPixel: Double
    public let width: Int
    public let height: Int
    /// Bit k set where `kinds[k]` was flagged, row-major.
    public let bits: [UInt8]

    /// The map over the whole slide at the grid's pixel size (level-0 pixels per pixel: `level0PerPixel`): what the
    /// file holds, so it lies on the slide like the other heatmaps (pixel (x, y) covers level-0 (x d, y d, d, d)).
    /// Each pixel takes the grid pixel under its centre; outside the grid (glass beyond the tissue's box) it is 0.
    public func slideRaster(slideWidth: Int, slideHeight: Int) -> QCArtefactMapRaster {
        QCArtefactMapRaster(map: self, width: max(1, Int((Double(slideWidth) / level0PerPixel).rounded(.up))),
                            height: max(1, Int((Double(slideHeight) / level0PerPixel).rounded(.up))))
    }
}

/// `QCArtefactMap` resampled onto the slide's whole extent, row by row as the heatmap writer reads it.
public struct QCArtefactMapRaster: HeatmapRaster {
    let map: QCArtefactMap
    public let width: Int
    public let height: Int
    public var channels: Int { 1 }

    public func copyRows(_ rows: Range<Int>, into destination: UnsafeMutableRawBufferPointer) {
        let d = map.level0PerPixel
        // The grid column under each file column's centre, once for all rows (-1: outside the grid).
        let columns = (0..<width).map { x -> Int in
            let u = ((Double(x) + 0.5) * d - map.originX) / d
            return u >= 0 && Int(u) < map.width ? Int(u) : -1
        }
        for (offset, y) in rows.enumerated() {
            let v = ((Double(y) + 0.5) * d - map.originY) / d
            let row = v >= 0 && Int(v) < map.height ? Int(v) : -1
            for x in 0..<width {
                let c = columns[x]
                destination[offset * width + x] = row < 0 || c < 0 ? 0 : map.bits[row * map.width + c]
            }
        }
    }
}

/// One slide's QC: the report, its record, the tiles' fractions and the grid the stitch stage counts against.
public struct SlideQCOutcome: Sendable {
    public let report: SlideQCReport
    public let record: SlideQCRecord
    public let tiles: [TileQCFraction]
    public let grid: ArtefactGrid
    /// Per kind, where the QC found it (same grid as `grid`), as one map of bits: the slide run's QC file, which the
    /// export and the viewer read. The outcome lives as long as the slide's run, so it holds no more than these two
    /// bytes a pixel.
    public let map: QCArtefactMap
}

public enum SlideQC {
    /// Runs the checks on a low-resolution image of the slide's tissue and measures each planned tile's own window.
    ///
    /// The image covers the bounding box of the tissue mask (the whole slide without a mask), read from the slide's
    /// pyramid at `settings.micronsPerPixel` (coarser when that would exceed `settings.maximumPixels`: memory is
    /// bounded by the cap, not the slide). The tissue is the plan's own mask (found on the whole slide's thumbnail,
    /// glass included), resampled to the QC image: the checks' references (focus, stain medians) are the slide's.
    public static func run(slide: any SourceSlide, resolution: SlideResolution, tissueMask: TissueMask?, plan: TilePlan,
                           settings: QCSettings) throws -> SlideQCOutcome {
        // The region: the tissue's bounding box plus one mask pixel, or the whole slide.
        var region = PixelRect(x: 0, y: 0, width: slide.width, height: slide.height)
        if let mask = tissueMask {
            var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
            for y in 0..<mask.height {
                for x in 0..<mask.width where mask.mask[y * mask.width + x] != 0 {
                    minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                }
            }
            if maxX >= 0 {
                let p = mask.level0PerPixel
                let x0 = max(0, Int((Double(minX - 1) * p).rounded(.down)))
                let y0 = max(0, Int((Double(minY - 1) * p).rounded(.down)))
                let x1 = min(slide.width, Int((Double(maxX + 2) * p).rounded(.up)))
                let y1 = min(slide.height, Int((Double(maxY + 2) * p).rounded(.up)))
                region = PixelRect(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0))
            }
        }
        var mpp = max(settings.micronsPerPixel, resolution.mpp)
        let areaMicrons2 = Double(region.width) * Double(region.height) * resolution.mpp * resolution.mpp
        if areaMicrons2 / (mpp * mpp) > Double(settings.maximumPixels) {
            mpp = (areaMicrons2 / Double(settings.maximumPixels)).squareRoot()
        }
        let level0PerPixel = mpp / resolution.mpp
        let width = max(1, Int(Double(region.width) / level0PerPixel))
        let height = max(1, Int(Double(region.height) / level0PerPixel))
        let window = PixelRect(x: region.x, y: region.y, width: Int((Double(width) * level0PerPixel).rounded()),
                               height: Int((Double(height) * level0PerPixel).rounded()))
        // The image lives only while the checks run: what follows holds masks, a byte a pixel each.
        let (results, report, tissue) = try { () throws -> ([QCCheckResult], SlideQCReport, QCMask) in
            let image = try slide.read(level0Window: window, outputWidth: width, outputHeight: height)
            var tissue = QCMask(width: width, height: height, filledWith: tissueMask == nil)
            if let tissueMask {
                for y in 0..<height {
                    let ly = Double(window.y) + (Double(y) + 0.5) * level0PerPixel
                    for x in 0..<width {
                        tissue[x, y] = tissueMask.isTissue(level0X: Double(window.x) + (Double(x) + 0.5) * level0PerPixel,
                                                           level0Y: ly)
                    }
                }
            }
            let input = QCInput(image: image, tissue: tissue, micronsPerPixel: mpp)
            let (results, report) = QualityChecks.run(settings.checks, on: input, thresholds: settings.thresholds)
            return (results, report, tissue)
        }()
        var union = [UInt8](repeating: 0, count: width * height)
        for result in results {
            for i in union.indices where result.mask.pixels[i] && tissue.pixels[i] { union[i] = 1 }
        }
        let grid = ArtefactGrid(originX: Double(window.x), originY: Double(window.y), level0PerPixel: level0PerPixel,
                                width: width, height: height, flagged: union)
        // Per tile and kind: the share of the own window (clipped to the slide) the kind covers, counting the QC
        // pixels whose centres lie in the window.
        var masks: [(kind: ArtefactKind, mask: QCMask)] = []
        for result in results {
            if let k = masks.firstIndex(where: { $0.kind == result.kind }) {
                masks[k].mask = masks[k].mask.union(result.mask)
            } else { masks.append((result.kind, result.mask)) }
        }
        var tiles: [TileQCFraction] = []
        let bounds = PixelRect(x: 0, y: 0, width: slide.width, height: slide.height)
        for tile in plan.tiles {
            let own = tile.ownWindow.intersection(bounds)
            if own.isEmpty { continue }
            let c0 = max(0, Int(((Double(own.x) - grid.originX) / level0PerPixel - 0.5).rounded(.up)))
            let c1 = min(width - 1, Int(((Double(own.maxX) - grid.originX) / level0PerPixel - 0.5).rounded(.up)) - 1)
            let r0 = max(0, Int(((Double(own.y) - grid.originY) / level0PerPixel - 0.5).rounded(.up)))
            let r1 = min(height - 1, Int(((Double(own.maxY) - grid.originY) / level0PerPixel - 0.5).rounded(.up)) - 1)
            guard c0 <= c1, r0 <= r1 else { continue }
            // Pixels the window would hold on the QC grid (those outside the QC image are unflagged).
            let expected = Double(own.area) / (level0PerPixel * level0PerPixel)
            for (kind, mask) in masks {
                var flagged = 0
                for r in r0...r1 {
                    for c in c0...c1 where mask.pixels[r * width + c] { flagged += 1 }
                }
                if flagged > 0 {
                    tiles.append(TileQCFraction(tileIndex: tile.index, kind: kind.rawValue,
                                                fraction: min(1, Double(flagged) / max(1, expected))))
                }
            }
        }
        let record = SlideQCRecord(
            verdict: report.verdict.rawValue, reason: report.reason, artefactTissueFraction: report.artefactTissueShare,
            micronsPerPixel: mpp,
            kinds: report.entries.map {
                SlideQCRecord.Kind(kind: $0.kind.rawValue, areaMM2: $0.areaMM2, tissueAreaMM2: $0.tissueAreaMM2,
                                   tissueFraction: $0.tissueShare)
            })
        // The first eight kinds fit a byte (the standard checks are four); a lab's ninth is recorded, not mapped.
        let mapped = Array(masks.prefix(QCMaskFile.maximumKinds))
        var bits = [UInt8](repeating: 0, count: width * height)
        for (index, entry) in mapped.enumerated() {
            let bit = UInt8(1) << UInt8(index)
            for i in bits.indices where entry.mask.pixels[i] { bits[i] |= bit }
        }
        let map = QCArtefactMap(kinds: mapped.map(\.kind), originX: grid.originX, originY: grid.originY,
                                level0PerPixel: level0PerPixel, width: width, height: height, bits: bits)
        return SlideQCOutcome(report: report, record: record, tiles: tiles, grid: grid, map: map)
    }
}
