import Foundation
import Testing
import TesseraCore
import TesseraSlide
import TesseraStain
import TesseraTestSupport

@Suite struct SlideStainTests {
    static let cmu = Fixtures.slide("CMU-1-Small-Region.svs")

    static func plan(_ slide: Slide, tileSize: Int = 256, overlap: Int = 64) throws -> TilePlan {
        try TilePlan.plan(slide: slide, resolution: slide.resolution(), targetMPP: 0.5, tileSize: tileSize,
                          overlap: overlap).plan
    }

    /// The per-slide sample is a fixed choice of tissue tiles spread over the slide: the same on every call.
    @Test func slideSampleIsFixedAndSpread() throws {
        let slide = try Slide(contentsOf: Self.cmu)
        let plan = try Self.plan(slide)
        let tiles = StainSample.slideTiles(of: plan)
        #expect(tiles.count == StainSample.slideTileCount)
        #expect(tiles == StainSample.slideTiles(of: plan))
        #expect(tiles.allSatisfy { $0.tissueFraction >= 0.5 })
        #expect(Set(tiles.map(\.row)).count >= 4, "rows \(tiles.map(\.row))")
        let sample = try StainSample.slide(slide, targetMPP: 0.5, tileSize: 256)
        #expect(sample.pixelCount == 16 * 128 * 128)
        #expect(sample.tissuePixelCount > sample.pixelCount / 2)
    }

    /// Two overlapping tiles of one slide: with the slide's transform, the pixels they share come out identical in
    /// both (no seam where their predictions meet); with each tile's own estimate they do not.
    @Test(arguments: [StainMethod.reinhard, .macenko]) func overlappingTilesAgreeWithPerSlideStatistics(_ method: StainMethod) throws {
        let slide = try Slide(contentsOf: Self.cmu)
        let target = try StainEstimation.estimate(method, from: { var s = StainSample(); s.add(try slide.read(
            level0Window: PixelRect(x: 1100, y: 1400, width: 256, height: 256), outputWidth: 256, outputHeight: 256)); return s }())
        // A tile and its right-hand neighbour, sharing 128 columns (35,315 and 50,964 tissue pixels).
        let left = try slide.read(level0Window: PixelRect(x: 800, y: 1400, width: 256, height: 256), outputWidth: 256, outputHeight: 256)
        let right = try slide.read(level0Window: PixelRect(x: 928, y: 1400, width: 256, height: 256), outputWidth: 256, outputHeight: 256)
        func sharedDifference(_ a: RGBImage, _ b: RGBImage) -> Int {
            var worst = 0
            for y in 0..<256 { for x in 0..<128 { for c in 0..<3 {
                worst = max(worst, abs(Int(a.pixels[(y * 256 + x + 128) * 3 + c]) - Int(b.pixels[(y * 256 + x) * 3 + c])))
            } } }
            return worst
        }
        #expect(sharedDifference(left, right) == 0, "the slide reads the same pixels for both")
        let slideSource = try StainEstimation.estimate(method, from: try StainSample.slide(slide, targetMPP: 0.5, tileSize: 256))
        let perSlide = StainTransform(source: slideSource, target: target)
        #expect(sharedDifference(perSlide.applied(to: left), perSlide.applied(to: right)) == 0)

        func own(_ image: RGBImage) throws -> StainTransform {
            var sample = StainSample()
            sample.add(image)
            return StainTransform(source: try StainEstimation.estimate(method, from: sample), target: target)
        }
        let seam = sharedDifference(try own(left).applied(to: left), try own(right).applied(to: right))
        #expect(seam >= 5, "per-tile estimates differ by \(seam) grey levels on the shared pixels")
    }

    /// The DAPI fluorescence slide cannot be normalised: the estimate says why, and the caller falls back.
    @Test(arguments: [StainMethod.reinhard, .macenko]) func fluorescenceSlideIsRefused(_ method: StainMethod) throws {
        let slide = try Slide(contentsOf: Fixtures.slide("test3-DAPI-2-387.ndpi"))
        let sample = try StainSample.slide(slide, targetMPP: 0.5, tileSize: 256)
        #expect(throws: StainEstimateError.self) { try StainEstimation.estimate(method, from: sample) }
        do {
            _ = try StainEstimation.estimate(method, from: sample)
        } catch {
            #expect(error.message.contains("not a brightfield H&E image"), "\(error)")
        }
    }

    @Test func tooLittleTissueIsRefused() throws {
        var sample = StainSample()
        var image = RGBImage(width: 200, height: 200)
        for i in 0..<(40 * 40) { image.pixels[3 * i] = 150; image.pixels[3 * i + 1] = 80; image.pixels[3 * i + 2] = 160 }
        sample.add(image)
        #expect(sample.tissuePixelCount == 1600)
        #expect(throws: StainEstimateError("too little tissue to estimate the stain: 1600 tissue pixels of 40000 sampled (at least 10000 needed)")) {
            try StainEstimation.estimate(.macenko, from: sample)
        }
    }
}

@Suite struct StainReferenceTests {
    @Test func jsonRoundTrips() throws {
        let reference = StainReference(
            method: .macenko,
            reinhard: LabStatistics(mean: SIMD3(65.5, 20.25, -10.5), std: SIMD3(15, 8.5, 6.25)),
            macenko: StainVectors(haematoxylin: SIMD3(0.6, 0.7, 0.4).normalised, eosin: SIMD3(0.1, 0.9, 0.3).normalised,
                                  maxConcentrations: SIMD2(1.5, 0.75)),
            source: "a \"quoted\" slide.svs")
        let parsed = try StainReference(json: reference.json)
        #expect(parsed.method == .macenko && parsed.source == reference.source)
        #expect(parsed.reinhard == reference.reinhard)
        let h = try #require(parsed.macenko?.haematoxylin), expected = reference.macenko!.haematoxylin
        #expect(((h - expected) * (h - expected)).sum() < 1e-10)
        #expect(parsed.macenko?.maxConcentrations == SIMD2(1.5, 0.75))
    }

    @Test func badReferencesNameTheField() {
        #expect(throws: StainReferenceError("method must be one of reinhard, macenko")) {
            try StainReference(json: #"{"method": "vahadane"}"#)
        }
        #expect(throws: StainReferenceError("method is reinhard but there is no reinhard entry")) {
            try StainReference(json: #"{"method": "reinhard"}"#)
        }
        #expect(throws: StainReferenceError("reinhard needs lab_mean and lab_std, three numbers each (std positive)")) {
            try StainReference(json: #"{"method": "reinhard", "reinhard": {"lab_mean": [1, 2, 3], "lab_std": [1, 0, 1]}}"#)
        }
        #expect(throws: StainReferenceError("macenko stain_matrix rows must be unit vectors")) {
            try StainReference(json: #"{"method": "macenko", "macenko": {"stain_matrix": [[1, 1, 1], [0, 1, 0]], "max_concentrations": [1, 1]}}"#)
        }
        #expect(throws: StainReferenceError("is not a JSON object")) { try StainReference(json: "[1]") }
    }
}

extension SIMD3<Double> {
    var normalised: SIMD3<Double> { self / (self * self).sum().squareRoot() }
}
