import Foundation
import Logging
import Testing
@testable import TesseraPipeline
import TesseraCore
import TesseraExport
import TesseraHeatmap
import TesseraQC
import TesseraSlide
import TesseraStore
import TesseraTestSupport

// The slide QC in a run, on a slide made from the artefact set (fixtures/qc-artefacts, tools/qc): CMU-1's region
// with pen strokes, shown as a slide at 0.5 µm/px (each PNG pixel, 2 µm, is 4x4 level-0 pixels), with the set's tissue
// mask as the plan's. The QC reads the slide at 2 µm/px, so it sees the PNG itself, and the model pixels (0.5 µm)
// fall 16 to a QC pixel: the flagged tissue the stitcher counts is the QC's exactly.

/// A slide whose pixels are a PNG's, each PNG pixel `scale` x `scale` level-0 pixels at 0.5 µm/px.
private struct ImageSlide: SourceSlide {
    let url: URL
    let image: RGBImage
    let tissue: QCMask
    let scale = 4
    var width: Int { image.width * scale }
    var height: Int { image.height * scale }
    var vendor: String? { "png" }
    var quickhash: String? { "png-" + url.lastPathComponent }
    var micronsPerPixel: (x: Double, y: Double)? { (0.5, 0.5) }
    var objectivePower: Double? { nil }

    func resolution(userStatedMPP: Double?, overrideMPP: Double?) throws -> SlideResolution {
        SlideResolution(mpp: 0.5, source: .file)
    }

    var tissueMask: TissueMask {
        TissueMask(width: tissue.width, height: tissue.height, level0PerPixel: Double(scale), mask: tissue.gray,
                   slideWidth: width, slideHeight: height, saturationThreshold: 0)
    }

    func planTiles(resolution: SlideResolution, targetMPP: Double, tileSize: Int, overlap: Int,
                   tissue: TissueSettings) throws -> TilePlan {
        try planTilesWithMask(resolution: resolution, targetMPP: targetMPP, tileSize: tileSize, overlap: overlap,
                              tissue: tissue).plan
    }

    func planTilesWithMask(resolution: SlideResolution, targetMPP: Double, tileSize: Int, overlap: Int,
                           tissue: TissueSettings) throws -> (plan: TilePlan, mask: TissueMask?) {
        let grid = try TileGrid(slideWidth: width, slideHeight: height, slideMPP: 0.5, targetMPP: targetMPP,
                                tileSize: tileSize, overlap: overlap)
        return (TilePlan(grid: grid, tissueMask: tissueMask, minimumTissueFraction: tissue.minimumTissueFraction), tissueMask)
    }

    /// Nearest PNG pixel under each output pixel's centre; white outside.
    func read(level0Window: PixelRect, outputWidth: Int, outputHeight: Int) throws -> RGBImage {
        var out = RGBImage(width: outputWidth, height: outputHeight, filledWith: 255)
        let sx = Double(level0Window.width) / Double(outputWidth), sy = Double(level0Window.height) / Double(outputHeight)
        for v in 0..<outputHeight {
            let y = Int((Double(level0Window.y) + (Double(v) + 0.5) * sy) / Double(scale))
            guard y >= 0, y < image.height else { continue }
            for u in 0..<outputWidth {
                let x = Int((Double(level0Window.x) + (Double(u) + 0.5) * sx) / Double(scale))
                guard x >= 0, x < image.width else { continue }
                for c in 0..<3 { out.pixels[3 * (v * outputWidth + u) + c] = image.pixels[3 * (y * image.width + x) + c] }
            }
        }
        return out
    }
}

private struct ImageSource: SlideSource {
    let slide: ImageSlide
    func open(_ url: URL) throws -> any SourceSlide { slide }
}

private let logger = Logger(label: "test.qc") { _ in SwiftLogNoOpLogHandler() }

private let folder = Fixtures.directory.appendingPathComponent("qc-artefacts/CMU-1-Small-Region")

private func artefactSlide(_ variant: String) throws -> ImageSlide {
    let image = try PNGImage.readRGB(from: folder.appendingPathComponent("\(variant).png"))
    let png = try PNGImage.read(from: folder.appendingPathComponent("tissue.png"))
    let gray = stride(from: 0, to: png.pixels.count, by: png.channels).map { png.pixels[$0] }
    return ImageSlide(url: URL(fileURLWithPath: "/qc/\(variant).svs"), image: image,
                      tissue: QCMask(width: png.width, height: png.height, gray: gray))
}

private func run(_ slide: ImageSlide, configure: (inout RunSettings) -> Void = { _ in }) async throws
    -> (summary: RunSummary, database: String, out: URL) {
    let out = try Fixtures.temporaryDirectory("qc-run")
    var settings = RunSettings(inputs: [slide.url.path], outputDirectory: out.path)
    settings.overlap = 0
    settings.tileSize = 256
    settings.batchSize = 4
    settings.readers = 2
    settings.threads = 1
    settings.writeHeatmaps = false
    settings.tissue.minimumTissueFraction = 0
    configure(&settings)
    let engines = FakeEngines(counter: ReadCounter())
    let summary = try await BatchRunner(settings: settings, logger: logger, source: ImageSource(slide: slide),
                                        engines: { _ in engines }).run()
    return (summary, out.appendingPathComponent("results.sqlite").path, out)
}

private func reals(_ database: String, _ sql: String) throws -> [Double] {
    try ResultsQuery.run(databasePath: database, sql: sql).rows.flatMap { row in
        row.map { value -> Double in
            switch value {
            case .real(let x): x
            case .integer(let n): Double(n)
            default: .nan
            }
        }
    }
}

@Suite(.serialized) struct SlideQCRunTests {
    @Test func theRunRecordsThePenStrokesPerSlideAndPerTileAndExcludesThemExactly() async throws {
        let slide = try artefactSlide("pen")
        // The checks on the PNG itself with the set's tissue: what the run must find on the slide.
        let (_, direct) = QualityChecks.run(on: QCInput(image: slide.image, tissue: slide.tissue, micronsPerPixel: 2))
        let directPen = try #require(direct.entry(.pen))

        let (summary, database, out) = try await run(slide)
        defer { try? FileManager.default.removeItem(at: out) }
        let outcome = try #require(summary.slides.first)
        #expect(outcome.status == .done)
        let areas = try #require(outcome.areas)
        let qc = try #require(areas.qc)
        print(String(format: "QC in the run: pen %.4f mm² (%.4f in tissue; direct %.4f / %.4f), verdict %@, %@",
                     qc.areaMM2("pen"), qc.kinds.first { $0.kind == "pen" }?.tissueAreaMM2 ?? -1, directPen.areaMM2,
                     directPen.tissueAreaMM2, qc.verdict, qc.reason))
        #expect(qc.micronsPerPixel == 2)
        // The run reads the tissue's bounding box, which here is nearly the whole PNG: pen in the tissue is the same.
        let runPen = try #require(qc.kinds.first { $0.kind == "pen" })
        #expect(abs(runPen.tissueAreaMM2 - directPen.tissueAreaMM2) <= 0.01 * directPen.tissueAreaMM2)
        #expect(runPen.tissueAreaMM2 > 0.05, "three strokes 60-90 µm wide across the region")
        #expect(qc.verdict == direct.verdict.rawValue)

        // Per tile: the pen fractions of the tiles' own windows add up to the pen area the QC measured.
        let tilePen = try reals(database, """
            SELECT SUM(q.fraction * 256 * 256) * 0.25 / 1e6 FROM tile_qc q WHERE q.kind = 'pen'
            """)[0]
        #expect(abs(tilePen - runPen.areaMM2) <= 0.01 * runPen.areaMM2, "\(tilePen) vs \(runPen.areaMM2)")
        let flaggedTiles = try reals(database, "SELECT COUNT(DISTINCT tile_index) FROM tile_qc WHERE kind = 'pen'")[0]
        #expect(flaggedTiles > 5 && flaggedTiles < 108)

        // --exclude-artefacts' arithmetic, in the views: the class areas without artefacts differ from the plain ones
        // by exactly the flagged tissue, which is the QC's union in the tissue (model pixels 16 to a QC pixel).
        let sums = try reals(database, """
            SELECT SUM(class_tissue_mm2), SUM(class_clean_tissue_mm2), SUM(class_artefact_mm2), MAX(tissue_mm2),
                   MAX(clean_tissue_mm2), SUM(clean_fraction_of_tissue)
            FROM slide_class_areas_clean
            """)
        let (plain, clean, flagged, tissue, cleanTissue, shares) = (sums[0], sums[1], sums[2], sums[3], sums[4], sums[5])
        print(String(format: "class tissue %.6f mm², without artefacts %.6f, flagged %.6f (QC union in tissue %.6f)",
                     plain, clean, flagged, qc.artefactTissueFraction * tissue))
        #expect(flagged > 0)
        #expect(abs((plain - clean) - flagged) < 1e-9)
        #expect(abs((tissue - cleanTissue) - flagged) < 1e-9)
        #expect(abs(shares - 1) < 1e-9)
        let unionInTissue = try #require(direct.artefactTissueAreaMM2 as Double?)
        #expect(abs(flagged - unionInTissue) <= 0.01 * unionInTissue, "\(flagged) vs \(unionInTissue)")

        // The same slide with --exclude-artefacts: the summary's class areas are the clean ones.
        let (excluded, _, out2) = try await run(slide) { $0.qc.excludeArtefacts = true }
        defer { try? FileManager.default.removeItem(at: out2) }
        let cleanAreas = try #require(excluded.slides.first?.areas)
        #expect(cleanAreas.artefactsExcluded)
        let plainSum = areas.classes.compactMap(\.tissueMM2).reduce(0, +)
        let cleanSum = cleanAreas.classes.compactMap(\.tissueMM2).reduce(0, +)
        #expect(abs((plainSum - cleanSum) - flagged) < 1e-9)
        #expect(abs((areas.tissueMM2 ?? 0) - (cleanAreas.tissueMM2 ?? 0) - flagged) < 1e-9)
    }

    @Test func theQCMapHoldsEachKindWhereTheQCFoundItAndTheGeoJSONTracesIt() async throws {
        let slide = try artefactSlide("pen")
        let (summary, database, out) = try await run(slide)
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(summary.slides.first?.status == .done)
        // The map is recorded for its slide run and named after it, with the plain name linked to it.
        let recorded = try ResultsQuery.run(databasePath: database, sql: """
            SELECT a.path, a.slide_run_id FROM artefacts a WHERE a.kind = 'qc_mask'
            """).rows
        #expect(recorded.count == 1)
        guard case .text(let path) = recorded.first?[0], case .integer(let slideRun) = recorded.first?[1] else {
            Issue.record("no QC map recorded"); return
        }
        #expect(path == "heatmaps/pen.svs.sr\(slideRun).qc.tif")
        let url = out.appendingPathComponent(path)
        #expect(try FileManager.default.destinationOfSymbolicLink(
            atPath: out.appendingPathComponent("heatmaps/pen.svs.qc.tif").path) == url.lastPathComponent)

        // One map pixel per QC pixel (2 µm: 4 level-0 pixels at 0.5 µm/px), the slide's whole extent, so map pixel
        // (x, y) is the artefact PNG's pixel (x, y); the kinds in bit order, the run's provenance.
        let map = try HeatmapFileReader(url: url)
        #expect(map.metadata.kind == "qc-mask" && map.metadata.downsample == 4)
        #expect(map.metadata.classNames == ["pen", "blur", "fold", "bubble_edge"])
        #expect(map.metadata.slideRunID == slideRun)
        #expect(map.width == slide.image.width && map.height == slide.image.height && map.channels == 1)
        #expect(try map.levels().count > 1, "pyramidal")
        var values = [UInt8](repeating: 0, count: map.width * map.bandHeight * map.bandCount)
        try values.withUnsafeMutableBufferPointer { all in
            for band in 0..<map.bandCount {
                try map.readBand(band, into: UnsafeMutableBufferPointer(
                    rebasing: all[(band * map.width * map.bandHeight)..<((band + 1) * map.width * map.bandHeight)]))
            }
        }
        values.removeLast(values.count - map.width * map.height)

        // Each kind's pixels are the area the run recorded for it (slide_qc), exactly: 4 µm² a pixel.
        let recordedAreas = try ResultsQuery.run(databasePath: database, sql: "SELECT kind, area_mm2 FROM slide_qc").rows
        var kindPixels: [String: Int] = [:]
        for (k, kind) in map.metadata.classNames.enumerated() {
            kindPixels[kind] = values.reduce(0) { $0 + (QCMaskFile.flags($1, kindIndex: k) ? 1 : 0) }
        }
        for row in recordedAreas {
            guard case .text(let kind) = row[0], case .real(let area) = row[1] else { continue }
            let mapArea = Double(kindPixels[kind] ?? -1) * 4 / 1e6
            #expect(abs(mapArea - area) <= 1e-9, "\(kind): map \(mapArea) mm², recorded \(area) mm²")
        }
        #expect(recordedAreas.count == 4)

        // At the strokes the artefact set drew (pen.mask.png), the map says pen (bit 1).
        let known = try PNGImage.read(from: folder.appendingPathComponent("pen.mask.png"))
        var both = 0, either = 0, strokeInterior = 0, strokeInteriorPen = 0
        for y in 0..<map.height {
            for x in 0..<map.width {
                let drawn = known.pixels[(y * known.width + x) * known.channels] > 127
                let pen = values[y * map.width + x] & 1 != 0
                if drawn && pen { both += 1 }
                if drawn || pen { either += 1 }
                // Well inside a stroke (5 px from its edge), where the pen check's misses are few (its IoU on this
                // image is 0.91-0.93).
                if drawn, x >= 5, y >= 5, x < map.width - 5, y < map.height - 5,
                   [(-5, 0), (5, 0), (0, -5), (0, 5)].allSatisfy({ known.pixels[((y + $0.1) * known.width + x + $0.0) * known.channels] > 127 }) {
                    strokeInterior += 1
                    if pen { strokeInteriorPen += 1 }
                }
            }
        }
        let iou = Double(both) / Double(max(either, 1))
        print(String(format: "QC map vs the drawn pen mask: IoU %.3f, stroke interiors flagged %d of %d", iou,
                     strokeInteriorPen, strokeInterior))
        #expect(iou >= 0.85)
        #expect(strokeInterior > 1000 && Double(strokeInteriorPen) >= 0.9 * Double(strokeInterior))

        // The GeoJSON: each kind's regions as locked annotations of class "Ignore*: <Kind>", their areas adding up to
        // the map's (exactly: regions are traced on the map's pixel edges); none with --no-qc-regions.
        let reader = try ResultsReader(path: database)
        func export(_ qcRegions: Bool) throws -> (summary: SlideExportSummary, features: [[String: Any]]) {
            let exporter = GeoJSONExporter(reader: reader, layout: OutputLayout(resultsFile: database),
                                           options: GeoJSONExportOptions(objects: .tiles, nuclei: false, qcRegions: qcRegions))
            let directory = out.appendingPathComponent(qcRegions ? "geojson" : "geojson-no-qc")
            try GeoJSONExporter.createOutputDirectory(directory)
            let stored = try #require(try exporter.selectSlideRuns(slides: [], run: nil).first)
            let summary = try exporter.export(stored, into: directory)
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summary.file)))
            return (summary, ((object as? [String: Any])?["features"] as? [[String: Any]]) ?? [])
        }
        let (exported, features) = try export(true)
        var tracedArea: [String: Double] = [:]
        for feature in features {
            let properties = feature["properties"] as? [String: Any] ?? [:]
            guard let name = (properties["classification"] as? [String: Any])?["name"] as? String,
                  name.hasPrefix("Ignore*: ") else { continue }
            #expect(properties["objectType"] as? String == "annotation" && properties["isLocked"] as? Bool == true)
            let measurements = properties["measurements"] as? [String: Any] ?? [:]
            tracedArea[name, default: 0] += measurements["Tessera: area µm^2"] as? Double ?? .nan
        }
        for kind in ["pen", "blur", "fold", "bubble_edge"] {
            let mapArea = Double(kindPixels[kind] ?? 0) * 4
            let name = "Ignore*: " + QCMaskFile.title(of: kind)
            #expect(abs((tracedArea[name] ?? 0) - mapArea) <= 1e-6 * max(mapArea, 1), "\(name): \(tracedArea[name] ?? 0) vs \(mapArea)")
            #expect(exported.qc.first { $0.kind == kind }.map { abs($0.areaMicrons2 - mapArea) <= 1e-6 * max(mapArea, 1) } == true)
        }
        print("QC regions in the GeoJSON: \(exported.qc.map { "\($0.kind) \($0.regions) (\($0.areaMicrons2) µm²)" })")
        #expect((tracedArea["Ignore*: Pen"] ?? 0) > 50_000)
        let (left, leftFeatures) = try export(false)
        #expect(left.qc.isEmpty)
        #expect(!leftFeatures.contains { (($0["properties"] as? [String: Any])?["classification"] as? [String: Any])?["name"]
                    .map { "\($0)".hasPrefix("Ignore*: ") } == true })
    }

    @Test func theCleanRegionPassesAndQCOffRecordsNothingUnderAnotherHash() async throws {
        let slide = try artefactSlide("clean")
        let (summary, database, out) = try await run(slide)
        defer { try? FileManager.default.removeItem(at: out) }
        let qc = try #require(summary.slides.first?.areas?.qc)
        print("QC of the clean region: \(qc.verdict), \(qc.reason)")
        #expect(qc.verdict == "pass")
        #expect(summary.stages.contains { $0.stage == "qc" && $0.items == 1 })
        let (off, offDatabase, out2) = try await run(slide) { $0.qc.enabled = false }
        defer { try? FileManager.default.removeItem(at: out2) }
        #expect(off.slides.first?.areas?.qc == nil)
        #expect(try reals(offDatabase, "SELECT COUNT(*) FROM slide_qc")[0] == 0)
        #expect(try reals(offDatabase, "SELECT COUNT(*) FROM artefacts WHERE kind = 'qc_mask'")[0] == 0)
        #expect(try reals(database, "SELECT COUNT(*) FROM artefacts WHERE kind = 'qc_mask'")[0] == 1)
        #expect(try reals(offDatabase, "SELECT COUNT(*) FROM tile_predictions WHERE artefact_area_fraction IS NOT NULL")[0] == 0)
        let hashes = try ResultsQuery.run(databasePath: database, sql: "SELECT parameters_hash FROM runs").rows
            + ResultsQuery.run(databasePath: offDatabase, sql: "SELECT parameters_hash FROM runs").rows
        #expect(hashes.count == 2 && hashes[0] != hashes[1])
    }
}
