import Foundation
import Testing
import TesseraCore
import TesseraSlide
import TesseraTestSupport

@Suite struct ReadAtResolutionTests {
    @Test func oneToOneWindowEqualsRegionRead() throws {
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let window = PixelRect(x: 1000, y: 1200, width: 64, height: 64)
        let image = try slide.read(level0Window: window, outputWidth: 64, outputHeight: 64)
        #expect(image == (try slide.readRegion(level0Origin: (1000, 1200), level: 0, width: 64, height: 64)))
    }

    @Test func exactPyramidLevelIsReadWithoutResampling() throws {
        let slide = try Slide(contentsOf: Fixtures.slide("yb10kx5k.zstd.tiff"))
        #expect(slide.bestLevel(forDownsample: 2) == 1)
        #expect(slide.bestLevel(forDownsample: 3.9) == 1)
        // Levels 3 and 4 have 1024-pixel tiles taller than the level: OpenSlide 3.4.1 reads them wrongly.
        #expect(slide.bestLevel(forDownsample: 100) == 2)
        #expect(!slide.isReliable(level: 3) && !slide.isReliable(level: 4) && slide.isReliable(level: 2))
        #expect(slide.bestLevel(forDownsample: 0.5) == 0)
        let image = try slide.read(level0Window: PixelRect(x: 2000, y: 1000, width: 1024, height: 512),
                                   outputWidth: 512, outputHeight: 256)
        #expect(image == (try slide.readRegion(level0Origin: (2000, 1000), level: 1, width: 512, height: 256)))
    }

    @Test func resampledWindowKeepsColourAndPadsWithWhite() throws {
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        // Half beyond the top-left corner, shrunk 2x: the outside quarter is white, the inside is the slide's
        // pixels averaged.
        let image = try slide.read(level0Window: PixelRect(x: -100, y: -100, width: 200, height: 200),
                                   outputWidth: 100, outputHeight: 100)
        #expect(image.width == 100 && image.height == 100)
        for y in 0..<49 { for x in 0..<49 { #expect(pixel(image, x, y) == [255, 255, 255]) } }
        let source = try slide.readRegion(level0Origin: (0, 0), level: 0, width: 100, height: 100)
        // Output (50 + i) covers source pixels 2i and 2i + 1: with the triangle filter their mean dominates.
        for (x, y) in [(60, 60), (75, 90), (99, 99)] {
            let sx = 2 * (x - 50), sy = 2 * (y - 50)
            for channel in 0..<3 {
                var sum = 0
                for dy in 0...1 { for dx in 0...1 { sum += Int(pixel(source, sx + dx, sy + dy)[channel]) } }
                #expect(abs(Int(pixel(image, x, y)[channel]) - sum / 4) <= 12)
            }
        }
    }

    @Test func slightResampleKeepsTheMean() throws {
        // 0.499 µm/px read at 0.5: 513 level-0 pixels become 512.
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let window = PixelRect(x: 800, y: 1000, width: 513, height: 513)
        let image = try slide.read(level0Window: window, outputWidth: 512, outputHeight: 512)
        let source = try slide.readRegion(level0Origin: (800, 1000), level: 0, width: 513, height: 513)
        let means = zip(channelSums(image), channelSums(source)).map {
            (Double($0) / (512 * 512), Double($1) / (513 * 513))
        }
        for (resampled, original) in means { #expect(abs(resampled - original) < 0.5) }
        // Interior pixels sit within a fraction of a pixel of their source: compare one against its neighbourhood.
        let p = pixel(image, 256, 256)
        let neighbourhood = (255...257).flatMap { y in (255...257).map { x in pixel(source, x, y) } }
        for channel in 0..<3 {
            let values = neighbourhood.map { Int($0[channel]) }
            #expect(Int(p[channel]) >= values.min()! && Int(p[channel]) <= values.max()!)
        }
    }

    @Test func readAtATargetResolution() throws {
        let slide = try Slide(contentsOf: Fixtures.slide("yb10kx5k.zstd.tiff"))
        let resolution = SlideResolution(mpp: 0.25, source: .userStated)
        // 1 µm/px from 0.25: a 4x downsample, which level 2 holds exactly.
        let image = try slide.read(level0Window: PixelRect(x: 400, y: 8, width: 1000, height: 400), targetMPP: 1,
                                   resolution: resolution)
        #expect(image.width == 250 && image.height == 100)
        #expect(image == (try slide.readRegion(level0Origin: (400, 8), level: 2, width: 250, height: 100)))
        #expect(throws: SlideError.self) {
            try slide.read(level0Window: PixelRect(x: 0, y: 0, width: 10, height: 10), targetMPP: 0,
                           resolution: resolution)
        }
    }

    @Test func thumbnailFitsTheBox() throws {
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let thumbnail = try slide.thumbnail(maxSize: 512)
        #expect(thumbnail.height == 512 && thumbnail.width == 383)
    }
}

@Suite struct TileGridTests {
    @Test func geometryFollowsTheContract() throws {
        let grid = try TileGrid(slideWidth: 1000, slideHeight: 800, slideMPP: 0.25, targetMPP: 0.5, tileSize: 512,
                                overlap: 64)
        #expect(grid.stride == 448 && grid.level0PerTargetPixel == 2)
        #expect(grid.columns == 2 && grid.rows == 1)
        #expect(grid.ownWindow(column: 1, row: 0) == PixelRect(x: 896, y: 0, width: 896, height: 896))
        #expect(grid.readWindow(column: 0, row: 0) == PixelRect(x: -64, y: -64, width: 1024, height: 1024))
        #expect(grid.isEdge(column: 0, row: 0))
    }

    @Test func ownWindowsAbutAndCoverTheSlide() throws {
        // 0.499 -> 0.5: f = 1.002..., so rounding matters.
        let grid = try TileGrid(slideWidth: 2220, slideHeight: 2967, slideMPP: 0.499, targetMPP: 0.5, tileSize: 512,
                                overlap: 64)
        #expect(grid.columns == 5 && grid.rows == 7)
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                let own = grid.ownWindow(column: column, row: row)
                let read = grid.readWindow(column: column, row: row)
                #expect(read.contains(own))
                if column + 1 < grid.columns { #expect(grid.ownWindow(column: column + 1, row: row).x == own.maxX) }
                if row + 1 < grid.rows { #expect(grid.ownWindow(column: column, row: row + 1).y == own.maxY) }
                #expect(read.x == Int((Double(column * 448 - 32) * 0.5 / 0.499).rounded()))
            }
        }
        #expect(grid.ownWindow(column: 4, row: 6).maxX >= 2220 && grid.ownWindow(column: 4, row: 6).maxY >= 2967)
        #expect(grid.ownWindow(column: 3, row: 5).maxX < 2220)
        // Interior tiles are not edge tiles; a tile whose margin leaves the slide is.
        #expect(!grid.isEdge(column: 2, row: 3))
        #expect(grid.isEdge(column: 4, row: 3))
    }

    @Test func invalidGeometryIsRejected() {
        #expect(throws: SlideError.self) {
            try TileGrid(slideWidth: 100, slideHeight: 100, slideMPP: 0.5, targetMPP: 0.5, tileSize: 512, overlap: 63)
        }
        #expect(throws: SlideError.self) {
            try TileGrid(slideWidth: 100, slideHeight: 100, slideMPP: 0.5, targetMPP: 0.5, tileSize: 64, overlap: 64)
        }
    }
}

@Suite struct TissueAndPlanTests {
    @Test func maskFractionWeighsPartialPixels() {
        // 4x2 mask of 10-level-0-pixel squares over a 40x20 slide; left half tissue.
        let mask = TissueMask(width: 4, height: 2, level0PerPixel: 10, mask: [255, 255, 0, 0, 255, 255, 0, 0],
                              slideWidth: 40, slideHeight: 20, saturationThreshold: 0)
        #expect(mask.fraction(in: PixelRect(x: 0, y: 0, width: 40, height: 20)) == 0.5)
        #expect(mask.fraction(in: PixelRect(x: 15, y: 0, width: 10, height: 10)) == 0.5)
        #expect(mask.fraction(in: PixelRect(x: 0, y: 0, width: 20, height: 20)) == 1)
        // Clipped to the slide: the part beyond it does not dilute the fraction.
        #expect(mask.fraction(in: PixelRect(x: -20, y: -20, width: 40, height: 40)) == 1)
        #expect(mask.fraction(in: PixelRect(x: 100, y: 100, width: 10, height: 10)) == 0)
        #expect(mask.slideTissueFraction == 0.5)
    }

    @Test func cmuPlanKeepsTissueAndDropsBackground() throws {
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let (plan, mask) = try TilePlan.plan(slide: slide, resolution: try slide.resolution(), targetMPP: 0.5,
                                             tileSize: 512, overlap: 64, tissue: TissueSettings(minimumTissueFraction: 0.05))
        #expect(plan.columns == 5 && plan.rows == 7)
        #expect(plan.tiles.count + plan.skippedCount == 35)
        #expect(abs(mask.level0PerPixel - 8 / 0.499) < 1e-9)
        let byPosition = Dictionary(uniqueKeysWithValues: plan.tiles.map { ("\($0.column),\($0.row)", $0) })
        // Looking at the slide (tools/reference: openslide-python thumbnail): tissue runs from the top centre down
        // to the bottom left; the top corners and the bottom-left corner are bare glass.
        #expect(byPosition["0,0"] == nil)
        #expect(byPosition["4,0"] == nil)
        #expect(byPosition["0,6"] == nil)
        let centre = try #require(byPosition["2,3"])
        #expect(centre.tissueFraction > 0.8)
        #expect(!centre.isEdge)
        #expect(centre.index == 3 * 5 + 2)
        #expect(centre.ownWindow == plan.grid.ownWindow(column: 2, row: 3))
        #expect(try #require(byPosition["1,6"]).isEdge)
        // Row-major order.
        #expect(plan.tiles.map(\.index) == plan.tiles.map(\.index).sorted())
        // Kept tiles are darker than skipped ones: check against the pixels themselves.
        let keptMean = try meanBrightness(slide, plan.tiles.map(\.ownWindow))
        let skipped = (0..<35).filter { index in !plan.tiles.contains { $0.index == index } }
            .map { plan.grid.ownWindow(column: $0 % 5, row: $0 / 5).intersection(slide.bounds) }
        let skippedMean = try meanBrightness(slide, skipped)
        #expect(skippedMean > 230 && keptMean < 210)
    }

    @Test func syntheticSlideIsSaturatedEverywhere() throws {
        // yb10kx5k.zstd.tiff is pure blue with a pure yellow band (y 2000-3000; openslide-python's read of level 2).
        // Its levels 3-4 read as partly transparent in OpenSlide 3.4.1; a mask from them would miss most of it.
        // No mpp in the file, so it is stated.
        let slide = try Slide(contentsOf: Fixtures.slide("yb10kx5k.zstd.tiff"))
        let resolution = try slide.resolution(userStatedMPP: 0.25)
        let (plan, mask) = try TilePlan.plan(slide: slide, resolution: resolution, targetMPP: 0.5, tileSize: 512,
                                             overlap: 64, tissue: TissueSettings(minimumTissueFraction: 0.5))
        #expect(mask.slideTissueFraction > 0.99)
        #expect(plan.skippedCount == 0 && plan.tiles.count == 12 * 6)
        let band = try slide.read(level0Window: PixelRect(x: 4000, y: 2400, width: 400, height: 200),
                                  outputWidth: 50, outputHeight: 25)
        #expect(pixel(band, 25, 12) == [255, 255, 0])
    }

    @Test func thresholdZeroKeepsEveryTile() throws {
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let (plan, _) = try TilePlan.plan(slide: slide, resolution: try slide.resolution(), targetMPP: 1,
                                          tileSize: 256, overlap: 0, tissue: TissueSettings(minimumTissueFraction: 0))
        #expect(plan.skippedCount == 0 && plan.tiles.count == plan.columns * plan.rows)
    }

    @Test func blankSlideHasNoTissue() throws {
        let white = RGBImage(width: 50, height: 40)
        let mask = TissueMask.detect(thumbnail: white, level0PerPixel: 16, micronsPerPixel: 8, slideWidth: 800,
                                     slideHeight: 640, parameters: TissueSettings())
        #expect(mask.mask.allSatisfy { $0 == 0 })
    }

    func meanBrightness(_ slide: Slide, _ windows: [PixelRect]) throws -> Double {
        var total = 0.0, count = 0.0
        for window in windows where !window.isEmpty {
            let image = try slide.read(level0Window: window, outputWidth: max(1, window.width / 8),
                                       outputHeight: max(1, window.height / 8))
            total += Double(channelSums(image).reduce(0, +)) / 3
            count += Double(image.width * image.height)
        }
        return total / count
    }
}

@Suite struct AsyncTileReadTests {
    @Test func concurrentTileReadsOnThePoolMatchBlockingReads() async throws {
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let (plan, _) = try TilePlan.plan(slide: slide, resolution: try slide.resolution(), targetMPP: 1,
                                          tileSize: 128, overlap: 16, tissue: TissueSettings(minimumTissueFraction: 0.5))
        let tiles = Array(plan.tiles.prefix(8))
        let pool = BlockingThreadPool(name: "test-readers", threads: 2)
        defer { pool.shutdown() }
        let images = try await withThrowingTaskGroup(of: (Int, RGBImage).self) { group in
            for (index, tile) in tiles.enumerated() {
                group.addTask { (index, try await slide.read(tile: tile, of: plan, on: pool)) }
            }
            var images = [RGBImage?](repeating: nil, count: tiles.count)
            for try await (index, image) in group { images[index] = image }
            return images
        }
        for (index, tile) in tiles.enumerated() {
            let image = try #require(images[index])
            #expect(image.width == 128 && image.height == 128)
            #expect(image == (try slide.read(tile: tile, of: plan)))
        }
    }
}
