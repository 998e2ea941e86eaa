import Testing
import TesseraHeatmap
import TesseraCore
import TesseraNetwork
import TesseraSlide
import TesseraTestSupport
@testable import TesseraPipeline

/// Overlap stitching with the real network on a real slide region: the region segmented in overlapping tiles
/// (read with margins, cropped to their own windows, stitched) against the same region segmented whole.
///
/// The stitching itself is exact (StitchingTests). The network is not translation-local: DeepLabv3+'s ASPP pools
/// over the whole input, so a tile sees less context than the whole region and the two cannot agree bit for bit.
/// Away from the border they agree on the class of nearly every pixel; this test pins how closely.
@Suite struct TiledInferenceTests {
    @Test func overlappingTilesAgreeWithTheWholeRegionAwayFromItsBorder() throws {
        let model = try SegmentationModel.load(contentsOf: Fixtures.models.appendingPathComponent("default.safetensors"))
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        // 512 x 512 level-0 pixels of dermis and epidermis (0.499 µm/px, the model's 0.5 µm/px).
        let size = 512
        let image = try slide.readRegion(level0Origin: (x: 700, y: 1100), level: 0, width: size, height: size)
        let bounds = PixelRect(x: 0, y: 0, width: size, height: size)

        let whole = HeatmapCanvas(slideWidth: size, slideHeight: size, downsample: 1, classCount: model.classCount)
        let wholeProbabilities = try Segmenter(model: model, batch: 1, height: size, width: size, threads: 2)
            .probabilities([image])
        wholeProbabilities.withUnsafeBufferPointer {
            whole.paint(probabilities: $0, geometry: TileOutputGeometry(readWindow: bounds, ownWindow: bounds,
                                                                        slideBounds: bounds, outputWidth: size,
                                                                        outputHeight: size))
        }

        // Tiles of 256 with 64 of overlap: own windows of 192 on a 3 x 3 grid, read with 32 px margins, white
        // outside the region (as the reader pads slide edges).
        let tile = 256, overlap = 64, stride = tile - overlap
        let segmenter = try Segmenter(model: model, batch: 1, height: tile, width: tile, threads: 2)
        let tiled = HeatmapCanvas(slideWidth: size, slideHeight: size, downsample: 1, classCount: model.classCount)
        for row in 0..<3 {
            for column in 0..<3 {
                let own = PixelRect(x: column * stride, y: row * stride, width: stride, height: stride)
                let read = PixelRect(x: own.x - overlap / 2, y: own.y - overlap / 2, width: tile, height: tile)
                let probabilities = try segmenter.probabilities([crop(image, to: read)])
                probabilities.withUnsafeBufferPointer {
                    tiled.paint(probabilities: $0, geometry: TileOutputGeometry(
                        readWindow: read, ownWindow: own, slideBounds: bounds, outputWidth: tile, outputHeight: tile))
                }
            }
        }

        // Compare away from the region's border (64 px in), where both see real tissue around each pixel.
        var agree = 0, total = 0
        var probabilityError = 0.0
        // Copied once: each `classMap` or `probabilities` call copies the canvas.
        let (tiledClasses, wholeClasses) = (tiled.classMap, whole.classMap)
        let (tiledPlanes, wholePlanes) = (tiled.probabilities, whole.probabilities)
        for y in 64..<(size - 64) {
            for x in 64..<(size - 64) {
                let index = y * size + x
                total += 1
                if tiledClasses[index] == wholeClasses[index] { agree += 1 }
                for c in 0..<model.classCount {
                    probabilityError += abs(Double(tiledPlanes[c][index]) - Double(wholePlanes[c][index]))
                }
            }
        }
        let agreement = Double(agree) / Double(total)
        let meanProbabilityError = probabilityError / Double(total * model.classCount) / 255
        #expect(!tiledClasses.contains(HeatmapCanvas.noPrediction))
        // Measured: 96.6% of pixels agree, mean |probability difference| 0.023 (bundled model, this region).
        #expect(agreement >= 0.95, "class agreement \(agreement)")
        #expect(meanProbabilityError <= 0.03, "mean |probability difference| \(meanProbabilityError)")
        print("tiled vs whole: class agreement \(agreement), mean |probability difference| \(meanProbabilityError)")
    }

    /// The part of `image` under `window` (in the image's pixels), white where the window leaves the image.
    func crop(_ image: RGBImage, to window: PixelRect) -> RGBImage {
        var result = RGBImage(width: window.width, height: window.height)
        for y in 0..<window.height {
            let sourceY = window.y + y
            guard sourceY >= 0, sourceY < image.height else { continue }
            for x in 0..<window.width {
                let sourceX = window.x + x
                guard sourceX >= 0, sourceX < image.width else { continue }
                let source = (sourceY * image.width + sourceX) * 3, target = (y * window.width + x) * 3
                result.pixels[target] = image.pixels[source]
                result.pixels[target + 1] = image.pixels[source + 1]
                result.pixels[target + 2] = image.pixels[source + 2]
            }
        }
        return result
    }
}
