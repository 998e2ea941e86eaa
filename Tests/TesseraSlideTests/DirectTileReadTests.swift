import Foundation
import Synchronization
import Testing
import TesseraCore
import TesseraTestSupport
@testable import TesseraSlide

/// The direct JPEG tile reader (JPEGTileReader) against OpenSlide 3.4.1 on the same files: the pixels must be equal,
/// byte for byte, on every level-0 tile of the fixtures, and on reads that are not aligned with the file's tiles.
@Suite struct DirectTileReadTests {
    /// The JPEG fixtures: Aperio RGB JPEG (CMU, 240 px tiles; small.svs, one 64 px tile over a 16 x 16 image) and
    /// generic TIFF YCbCr 4:2:0 JPEG (128 px tiles, partial at the edges).
    static let jpegSlides = ["CMU-1-Small-Region.svs", "small.svs", "CMU-1-crop-ycbcr.tiff"]

    static func pair(_ name: String) throws -> (direct: Slide, openSlide: Slide) {
        let url = Fixtures.slide(name)
        return (try Slide(contentsOf: url), try Slide(contentsOf: url, directTileDecoding: false))
    }

    /// Where the two differ, a message naming the first differing pixel; nil when equal.
    static func difference(_ a: RGBImage, _ b: RGBImage) -> String? {
        guard a.width == b.width, a.height == b.height else {
            return "sizes \(a.width)x\(a.height) vs \(b.width)x\(b.height)"
        }
        guard let index = a.pixels.indices.first(where: { a.pixels[$0] != b.pixels[$0] }) else { return nil }
        let differing = zip(a.pixels, b.pixels).filter { $0 != $1 }.count
        return "\(differing) bytes differ; first at pixel (\(index / 3 % a.width), \(index / 3 / a.width))"
    }

    @Test(arguments: jpegSlides)
    func everyLevel0TileEqualsOpenSlide(_ name: String) throws {
        let (direct, openSlide) = try Self.pair(name)
        #expect(direct.level0Reader == "jpeg-direct")
        #expect(openSlide.level0Reader == "openslide")
        let reader = try #require(direct.jpegTiles)
        let tileWidth = try #require(direct.properties["openslide.level[0].tile-width"].flatMap(Int.init))
        let tileHeight = try #require(direct.properties["openslide.level[0].tile-height"].flatMap(Int.init))
        var tiles = 0
        for y in stride(from: 0, to: direct.height, by: tileHeight) {
            for x in stride(from: 0, to: direct.width, by: tileWidth) {
                // The file's tile, clipped to the image as OpenSlide clips it.
                let width = min(tileWidth, direct.width - x), height = min(tileHeight, direct.height - y)
                // The direct reader itself, not `readRegion`, which would fall back to OpenSlide on a failure.
                let a = try reader.read(region: PixelRect(x: x, y: y, width: width, height: height))
                let b = try openSlide.readRegion(level0Origin: (x, y), level: 0, width: width, height: height)
                if let difference = Self.difference(a, b) {
                    Issue.record("\(name) tile at (\(x), \(y)): \(difference)")
                    return
                }
                tiles += 1
            }
        }
        let expected = ((direct.width + tileWidth - 1) / tileWidth) * ((direct.height + tileHeight - 1) / tileHeight)
        #expect(tiles == expected && tiles > 0)
        #expect(reader.columns * reader.rows == expected)
    }

    /// Regions across tile borders, partly or wholly outside the slide, and the pipeline's resampled windows.
    @Test(arguments: jpegSlides)
    func unalignedAndResampledReadsEqualOpenSlide(_ name: String) throws {
        let (direct, openSlide) = try Self.pair(name)
        var generator = SeededGenerator(seed: 29)
        for _ in 0..<40 {
            let width = 1 + Int(generator.next() % 300), height = 1 + Int(generator.next() % 300)
            let x = Int(generator.next() % UInt64(direct.width + 200)) - 100
            let y = Int(generator.next() % UInt64(direct.height + 200)) - 100
            let region = PixelRect(x: x, y: y, width: width, height: height)
            let a = try #require(direct.jpegTiles).read(region: region)
            let b = try openSlide.readRegion(level0Origin: (x, y), level: 0, width: width, height: height)
            #expect(Self.difference(a, b) == nil, "\(name) region \(region)")
            #expect(try direct.readRegion(level0Origin: (x, y), level: 0, width: width, height: height) == a)
        }
        // A 0.499 µm/px slide read at 0.5 µm/px with a 64 px margin, as `tessera run` does, and one window that
        // reaches beyond the slide.
        for window in [PixelRect(x: 37, y: 11, width: 257, height: 257),
                       PixelRect(x: direct.width - 100, y: direct.height - 50, width: 200, height: 200)] {
            let a = try direct.read(level0Window: window, outputWidth: 256, outputHeight: 256)
            let b = try openSlide.read(level0Window: window, outputWidth: 256, outputHeight: 256)
            #expect(Self.difference(a, b) == nil, "\(name) window \(window)")
        }
    }

    /// The large synthetic slide (Aperio description, YCbCr 4:2:0 JPEG, 256 px tiles, libvips): 200 level-0 tiles
    /// spread over it, tissue and background, through the direct reader and through OpenSlide.
    @Test func largeSyntheticSlideTilesEqualOpenSlide() throws {
        guard let large = try LargeSlide.open(), let url = LargeSlide.url else { return }
        let openSlide = try Slide(contentsOf: url, directTileDecoding: false)
        let reader = try #require(large.jpegTiles)
        #expect(reader.isYCbCr && reader.tileWidth == 256)
        let count = 200, total = reader.columns * reader.rows
        for k in 0..<count {
            let index = k * total / count
            let region = PixelRect(x: index % reader.columns * 256, y: index / reader.columns * 256,
                                   width: min(256, large.width - index % reader.columns * 256),
                                   height: min(256, large.height - index / reader.columns * 256))
            let a = try reader.read(region: region)
            let b = try openSlide.readRegion(level0Origin: (region.x, region.y), level: 0, width: region.width,
                                             height: region.height)
            if let difference = Self.difference(a, b) {
                Issue.record("tile at \(region): \(difference)")
                return
            }
        }
    }

    /// Several threads on one handle (the pipeline's readers) get the same pixels as one thread: the file reads,
    /// the decoder and the cache are safe to share.
    @Test func concurrentReadsOfOneHandleEqualSequentialOnes() throws {
        let (direct, openSlide) = try Self.pair("CMU-1-Small-Region.svs")
        let origins = (0..<24).map { (x: ($0 % 6) * 333, y: ($0 / 6) * 701) }
        let expected = try origins.map { try openSlide.readRegion(level0Origin: $0, level: 0, width: 300, height: 300) }
        let mismatches = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for round in 0..<3 {
                for (index, origin) in origins.enumerated() where (index + round + worker) % 2 == 0 {
                    let image = try? direct.readRegion(level0Origin: origin, level: 0, width: 300, height: 300)
                    if image != expected[index] { mismatches.add(1, ordering: .relaxed) }
                }
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
    }

    /// Files the direct reader does not handle are read by OpenSlide alone: other compressions (deflate, zstd),
    /// other vendors (Hamamatsu).
    @Test(arguments: ["boxes.tiff", "yb10kx5k.zstd.tiff", "test3-DAPI-2-387.ndpi"])
    func otherEncodingsAndVendorsFallBackToOpenSlide(_ name: String) throws {
        let slide = try Slide(contentsOf: Fixtures.slide(name))
        #expect(slide.level0Reader == "openslide")
    }

    /// A damaged tile: the direct decoder fails, OpenSlide then reads the region and reports its own error, in its
    /// words, as before; the handle stays failed for later reads, as OpenSlide's does.
    @Test func aDamagedTileReportsOpenSlidesError() throws {
        let slide = try Slide(contentsOf: Fixtures.invalidSlide("unreadable.svs"))
        #expect(slide.level0Reader == "jpeg-direct")
        // The direct reader's own failure: libjpeg's error, typed, naming the tile.
        let direct = try #require(throws: DirectReadError.self) {
            try #require(slide.jpegTiles).read(region: PixelRect(x: 0, y: 0, width: 16, height: 16))
        }
        #expect(direct.kind == .corrupt && direct.column == 0 && direct.row == 0, "\(direct)")
        for _ in 0..<2 {
            do {
                _ = try slide.readRegion(level0Origin: (0, 0), level: 0, width: 16, height: 16)
                Issue.record("the damaged tile was read")
            } catch let error as SlideError {
                #expect(error.kind == .readFailed)
                #expect(error.message.contains("Bogus marker length"), "\(error.message)")
            }
        }
    }

    /// The decoded-tile cache keeps at most its capacity, evicting the least recently used tile.
    @Test func cacheEvictsTheLeastRecentlyUsedTile() {
        let cache = DecodedTileCache(capacity: 2)
        cache.insert([1], for: 1)
        cache.insert([2], for: 2)
        #expect(cache.tile(1) == [1]) // 1 is now the most recent
        cache.insert([3], for: 3)
        #expect(cache.tile(2) == nil)
        #expect(cache.tile(1) == [1] && cache.tile(3) == [3])
    }
}
