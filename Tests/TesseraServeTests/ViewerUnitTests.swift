import Foundation
import Logging
import Synchronization
import Testing
import TesseraStore
import TesseraCore
@testable import TesseraServe
import TesseraTestSupport

struct DeepZoomLayoutTests {
    /// What openslide-python 1.4.7's DeepZoomGenerator(slide, 254, 1) gives for CMU-1-Small-Region.svs
    /// (2220 x 2967): `level_count`, `level_tiles[12]`, `get_tile_coordinates(12, (3, 5))`,
    /// `get_tile_dimensions(12, (8, 11))`, `get_tile_coordinates(10, (1, 2))` (read once with openslide-python).
    @Test func matchesOpenSlidePythonsDeepZoomGeometry() {
        let layout = DeepZoomLayout(width: 2220, height: 2967, tileSize: 254, overlap: 1)
        #expect(layout.levelCount == 13)
        #expect(layout.levelSizes[0] == (1, 1) && layout.levelSizes[12] == (2220, 2967))
        #expect(layout.levelSizes[11] == (1110, 1484) && layout.levelSizes[10] == (555, 742))
        #expect(layout.tileCounts(level: 12) == (9, 12))
        #expect(layout.tileRect(level: 12, column: 0, row: 0) == PixelRect(x: 0, y: 0, width: 255, height: 255))
        #expect(layout.tileRect(level: 12, column: 3, row: 5) == PixelRect(x: 761, y: 1269, width: 256, height: 256))
        // Last column: 2220 - 8*254 = 188 px, plus the overlap on its left only.
        #expect(layout.tileRect(level: 12, column: 8, row: 11) == PixelRect(x: 2031, y: 2793, width: 189, height: 174))
        // Level 10 (downsample 4): tile (1, 2) covers level-0 pixels from 4 * (254 - 1) and 4 * (508 - 1).
        #expect(layout.fullSizeRect(level: 10, column: 1, row: 2) == PixelRect(x: 1012, y: 2028, width: 1024, height: 939))
        #expect(layout.contains(level: 12, column: 8, row: 11))
        #expect(!layout.contains(level: 12, column: 9, row: 0) && !layout.contains(level: 13, column: 0, row: 0))
        #expect(!layout.contains(level: -1, column: 0, row: 0) && !layout.contains(level: 0, column: 0, row: 1))
        #expect(layout.descriptor(format: "jpeg").contains(#"Format="jpeg" Overlap="1" TileSize="254"><Size Width="2220" Height="2967"/>"#))
    }
}

struct TileCacheTests {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test func evictsTheLeastRecentlyUsedAndCountsHits() async throws {
        let cache = TileCache<Int, [UInt8]>(capacityBytes: 300, cost: { $0.count })
        let produced = Counter()
        func get(_ key: Int) async throws -> [UInt8] {
            try await cache.value(for: key) {
                produced.value.add(1, ordering: .relaxed)
                return [UInt8](repeating: UInt8(key), count: 100)
            }
        }
        _ = try await get(1); _ = try await get(2); _ = try await get(3)
        #expect(try await get(1) == [UInt8](repeating: 1, count: 100))   // hit; 2 is now the oldest
        _ = try await get(4)                                            // evicts 2
        #expect(produced.value.load(ordering: .relaxed) == 4)
        _ = try await get(3); _ = try await get(1)
        #expect(produced.value.load(ordering: .relaxed) == 4)
        _ = try await get(2)
        #expect(produced.value.load(ordering: .relaxed) == 5)
        let statistics = cache.statistics
        #expect(statistics.hits == 3 && statistics.misses == 5)
        #expect(statistics.entries == 3 && statistics.bytes == 300)
    }

    @Test func concurrentRequestsForOneTileProduceItOnceAndFailuresAreNotKept() async throws {
        let cache = TileCache<String, [UInt8]>(capacityBytes: 1 << 20, cost: { $0.count })
        let produced = Counter()
        try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await cache.value(for: "tile") {
                        produced.value.add(1, ordering: .relaxed)
                        try await Task.sleep(for: .milliseconds(200))
                        return [7, 7, 7]
                    }
                }
            }
            for try await value in group { #expect(value == [7, 7, 7]) }
        }
        #expect(produced.value.load(ordering: .relaxed) == 1)
        #expect(cache.statistics.misses == 1 && cache.statistics.hits + cache.statistics.joined == 15)

        struct Broken: Error {}
        await #expect(throws: Broken.self) { try await cache.value(for: "bad") { throw Broken() } }
        #expect(try await cache.value(for: "bad") { [1] } == [1])
    }
}

struct JPEGCodecTests {
    @Test func roundTripsAnImageAndRejectsGarbage() throws {
        var image = RGBImage(width: 64, height: 48)
        for y in 0..<48 { for x in 0..<64 {
            let i = (y * 64 + x) * 3
            image.pixels[i] = UInt8(x * 4); image.pixels[i + 1] = UInt8(y * 5); image.pixels[i + 2] = 128
        } }
        let bytes = try JPEGCodec.encode(image, quality: 90)
        #expect(bytes.prefix(2) == [0xFF, 0xD8])
        let decoded = try JPEGCodec.decode(bytes)
        #expect(decoded.width == 64 && decoded.height == 48)
        let worst = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= 8, "a smooth gradient at quality 90 should be within 8 levels, got \(worst)")
        #expect(throws: JPEGError.self) { try JPEGCodec.decode([0xFF, 0xD8, 0x00, 0x01, 0x02]) }
    }
}

struct EmbeddedViewerFilesTests {
    /// The build embeds every file of Sources/TesseraServe/Viewer/ (the TesseraEmbeddedFiles plugin), byte for byte.
    @Test func theBuildEmbedsEveryFileOfTheViewerFolder() throws {
        let root = Fixtures.repositoryRoot.appendingPathComponent("Sources/TesseraServe/Viewer")
        let onDisk = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path, isDirectory: &isDirectory)
            return !isDirectory.boolValue
        }.sorted()
        let assets = try ViewerAssets.embedded()
        #expect(EmbeddedViewerFiles.files.map(\.path) == onDisk)
        for path in onDisk {
            let data = try Data(contentsOf: root.appendingPathComponent(path))
            #expect(assets.data(path) == data, "\(path) differs from what the build embedded")
        }
        #expect(onDisk.contains("vendor/openseadragon/LICENSE.openseadragon"))
    }

    /// The viewer loads the minified OpenSeadragon (346,694 bytes, see PROVENANCE.md), not the 1.35 MB source.
    @Test func theViewerLoadsTheMinifiedOpenSeadragon() throws {
        let assets = try ViewerAssets.embedded()
        let page = String(decoding: try #require(assets.data("viewer.html")), as: UTF8.self)
        #expect(page.contains(#"<script src="/static/vendor/openseadragon/openseadragon.min.js"></script>"#))
        let script = try #require(assets.data("vendor/openseadragon/openseadragon.min.js"))
        #expect(script.count == 346_694)
        #expect(String(decoding: script.prefix(24), as: UTF8.self) == "//! openseadragon 6.1.1\n")
        #expect(!assets.contains("vendor/openseadragon/openseadragon.js"))
        #expect(!FileManager.default.fileExists(atPath: Fixtures.repositoryRoot
            .appendingPathComponent("Sources/TesseraServe/EmbeddedViewerFiles.swift").path),
            "the embedded copy is generated at build time, not checked in")
    }
}

struct SameFileNameTests {
    /// Two slides with one file name in two folders: `tessera run` names the second one's heatmaps with a hash of its
    /// path (OutputNames). The viewer must find each slide run's own files, never the other slide's.
    @Test func eachSlideRunGetsItsOwnHeatmapsAndRegions() throws {
        let directory = try Fixtures.temporaryDirectory("serve-same-name")
        var copies: [URL] = []
        // Two different slides (identical copies would be one slide: the run knows slides by their fingerprint).
        for (folder, fixture) in [("a", "small.svs"), ("b", "CMU-1-Small-Region.svs")] {
            let folderURL = directory.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: folderURL, withIntermediateDirectories: true)
            let copy = folderURL.appendingPathComponent("slide.svs")
            try FileManager.default.copyItem(at: Fixtures.slide(fixture), to: copy)
            copies.append(copy)
        }
        let out = directory.appendingPathComponent("out")
        let run = try TesseraCLI.run(["run"] + copies.map(\.path) + ["--out", out.path, "--mpp", "2", "--tile", "128",
                                                                     "--overlap", "16", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let export = try TesseraCLI.run(["export", "geojson", out.appendingPathComponent("results.sqlite").path,
                                         "--out", out.appendingPathComponent("geojson").path])
        #expect(export.status == 0, "\(export.stderr)")

        let catalog = try ResultsCatalog(path: out.appendingPathComponent("results.sqlite").path)
        let details = try [1, 2].compactMap { try catalog.slideRun(id: Int64($0)) }
        #expect(details.map(\.slidePath).sorted() == copies.map(\.path).sorted())
        let heatmaps = HeatmapLayerCatalog(layout: OutputLayout(outputDirectory: out), outputDirectory: out)
        var overlays: [String: String] = [:]
        for detail in details {
            let layers = heatmaps.layers(for: detail)
            // The overlay and one probability layer per class, and the QC map's layer (QC runs by default).
            #expect(layers.filter { $0.id != "qc" }.count == 1 + detail.classes.count)
            #expect(layers.filter { $0.id == "qc" }.count == 1)
            let overlay = try #require(layers.first { $0.id == "overlay" })
            overlays[detail.slidePath] = overlay.file.lastPathComponent
        }
        let hash = String(sha256Hex(Data(copies[1].path.utf8)).prefix(8))
        let id = Dictionary(uniqueKeysWithValues: details.map { ($0.slidePath, $0.id) })
        #expect(overlays[copies[0].path] == "slide.svs.sr\(id[copies[0].path]!).overlay.tif")
        #expect(overlays[copies[1].path] == "slide.svs.\(hash).sr\(id[copies[1].path]!).overlay.tif")
        // `tessera export geojson` into the output folder recorded each slide run's file: the viewer finds each.
        let viewer = try SlideViewer(options: ViewerOptions(outputDirectory: out), logger: Logger(label: "test"))
        let regions = details.compactMap { viewer.regionsFile(for: $0)?.url.lastPathComponent }
        #expect(regions.sorted() == ["slide.svs.\(hash).sr\(id[copies[1].path]!).geojson",
                                     "slide.svs.sr\(id[copies[0].path]!).geojson"])
    }
}
