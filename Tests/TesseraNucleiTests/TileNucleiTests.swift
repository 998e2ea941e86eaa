import Foundation
import Testing
import TesseraCore
@testable import TesseraNuclei

/// Nuclei of tiles placed on the slide: counted once whatever the tiling, at the right level-0 place and size, with
/// outlines that enclose what was measured.
@Suite struct TileNucleiTests {
    typealias Ellipse = NucleusSegmenterTests.Ellipse

    /// A slide's worth of nuclei: ellipses on a jittered grid, every third one with a touching partner.
    static func ellipses(width: Int, height: Int) -> [Ellipse] {
        var state: UInt64 = 2027
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var result: [Ellipse] = []
        var index = 0
        for cy in stride(from: 20.0, to: Double(height) - 20, by: 34) {
            for cx in stride(from: 20.0, to: Double(width) - 20, by: 34) {
                let e = Ellipse(cx: cx + 6 * (next() - 0.5), cy: cy + 6 * (next() - 0.5), a: 4 + 4 * next(), b: 3.5 + 2.5 * next(),
                                angle: .pi * next())
                result.append(e)
                if index % 3 == 0 {   // a partner touching it on its right
                    result.append(Ellipse(cx: e.cx + e.extent(towards: 0) + 4.5, cy: e.cy + 1, a: 5, b: 4, angle: 0.3))
                }
                index += 1
            }
        }
        return result
    }

    /// The tiles of a grid whose own windows start at `origin` (-stride < origin <= 0) and step by `size - overlap`:
    /// each tile's two planes (background, nuclei) cut from the slide's map, zero (background) outside it.
    static func nuclei(map: [Float], width: Int, height: Int, size: Int, overlap: Int, origin: Int,
                       scale: Int = 1) -> [Nucleus] {
        let stride = size - overlap
        let finder = TileNuclei(classCount: 2, nucleusClass: 1, size: size)
        let slide = PixelRect(x: 0, y: 0, width: width * scale, height: height * scale)
        var found: [Nucleus] = []
        for top in Swift.stride(from: origin, to: height, by: stride) {
            for left in Swift.stride(from: origin, to: width, by: stride) {
                var planes = [Float](repeating: 0, count: 2 * size * size)
                for v in 0..<size {
                    for u in 0..<size {
                        let x = left - overlap / 2 + u, y = top - overlap / 2 + v
                        let p: Float = (x >= 0 && y >= 0 && x < width && y < height) ? map[y * width + x] : 0
                        planes[v * size + u] = 1 - p
                        planes[size * size + v * size + u] = p
                    }
                }
                let read = PixelRect(x: (left - overlap / 2) * scale, y: (top - overlap / 2) * scale,
                                     width: size * scale, height: size * scale)
                let own = PixelRect(x: left * scale, y: top * scale, width: stride * scale, height: stride * scale)
                    .intersection(slide)
                let image = RGBImage(width: size, height: size, filledWith: 200)
                found += planes.withUnsafeBufferPointer {
                    finder.find(probabilities: $0, readWindow: read, ownWindow: own, image: image,
                                micronsPerPixel: (0.25, 0.25))
                }
            }
        }
        return found.sorted { ($0.y, $0.x) < ($1.y, $1.x) }
    }

    @Test func eachNucleusIsCountedOnceWhateverTheGrid() {
        let width = 420, height = 300
        let ellipses = Self.ellipses(width: width, height: height)
        let map = NucleusSegmenterTests.map(ellipses, width: width, height: height)
        let whole = map.withUnsafeBufferPointer { buffer in
            NucleusMeasurement.measure(NucleusSegmenter.segment(probability: buffer, width: width, height: height),
                                       probability: buffer)
        }
        let grid = Self.nuclei(map: map, width: width, height: height, size: 128, overlap: 32, origin: 0)
        let shifted = Self.nuclei(map: map, width: width, height: height, size: 128, overlap: 32, origin: -48)
        // Whole-map segmentation is the truth the tilings must reproduce: same count, same centroids.
        #expect(whole.count > 100)
        #expect(grid.count == whole.count)
        #expect(shifted.count == whole.count)
        let truth = whole.map { ($0.centroidY, $0.centroidX) }.sorted { $0 < $1 }
        for (index, nucleus) in grid.enumerated() where index < truth.count {
            #expect(abs(nucleus.x - truth[index].1) < 1e-9 && abs(nucleus.y - truth[index].0) < 1e-9)
            #expect(abs(shifted[index].x - nucleus.x) < 1e-9 && abs(shifted[index].areaMicrons2 - nucleus.areaMicrons2) < 1e-12)
        }
    }

    @Test func placesAndSizesAreLevelZeroAndMicrons() throws {
        // One disc of radius 6 model pixels at model (40.5, 30.5); model pixels are 2 level-0 pixels of 0.25 µm.
        let size = 64
        let disc = Ellipse(cx: 40.5, cy: 30.5, a: 6, b: 6, angle: 0)
        let map = NucleusSegmenterTests.map([disc], width: size, height: size)
        let nuclei = Self.nuclei(map: map, width: size, height: size, size: size, overlap: 0, origin: 0, scale: 2)
        let nucleus = try #require(nuclei.count == 1 ? nuclei[0] : nil)
        #expect(abs(nucleus.x - 81) < 1e-9 && abs(nucleus.y - 61) < 1e-9)
        let pixels = map.filter { $0 >= 0.5 }.count
        #expect(abs(nucleus.areaMicrons2 - Double(pixels) * 0.25) < 1e-9)       // a model pixel is 0.5 x 0.5 µm
        #expect(abs(nucleus.equivalentDiameterMicrons - 6.0) < 0.3)
        #expect(nucleus.eccentricity < 0.2 && nucleus.solidity > 0.85 && nucleus.solidity <= 1)
        #expect(nucleus.regionClass == 0)
        // The outline encloses exactly the nucleus's pixels: shoelace area in level-0 pixels = 4 per model pixel.
        let vertices = nucleus.outlineVertices
        var twice = 0.0
        for i in vertices.indices {
            let a = vertices[i], b = vertices[(i + 1) % vertices.count]
            twice += a.x * b.y - b.x * a.y
        }
        #expect(abs(twice / 2) == Double(pixels * 4))
        #expect(twice > 0)   // clockwise on the slide (y down) is a positive shoelace sum
        #expect(Nucleus.outline(fromBytes: nucleus.outlineBytes) == nucleus.outline)
    }

    /// A vesicular nucleus (pale centre: a small hole in the probability) is one whole nucleus, and its outline
    /// encloses what was measured; a large enclosed gap (between the nuclei of a ring-shaped cluster) stays a gap.
    @Test func smallHolesAreFilledLargeGapsKept() {
        let size = 64
        var map = NucleusSegmenterTests.map([Ellipse(cx: 20, cy: 20, a: 8, b: 8, angle: 0)], width: size, height: size)
        for y in 0..<size { for x in 0..<size where pow(Double(x) + 0.5 - 20, 2) + pow(Double(y) + 0.5 - 20, 2) <= 4 {
            map[y * size + x] = 0.1
        } }
        let disc = NucleusSegmenterTests.map([Ellipse(cx: 20, cy: 20, a: 8, b: 8, angle: 0)], width: size, height: size)
        let (holeFilled, figures) = NucleusSegmenterTests.segment(map, size, size)
        #expect(holeFilled.count == 1 && figures.first?.pixelCount == disc.filter { $0 >= 0.5 }.count)
        var gap = [Bool](repeating: true, count: 30 * 30)
        for y in 5..<25 { for x in 5..<25 { gap[y * 30 + x] = false } }   // a 400-pixel enclosed gap
        NucleusSegmenter.fillHoles(&gap, width: 30, height: 30, upTo: 50)
        #expect(gap.filter { !$0 }.count == 400)
    }

    @Test func haematoxylinDensityIsTheDeconvolvedMean() {
        // A nucleus drawn in a haematoxylin colour on an eosin-pink tile: its mean H density is that colour's.
        let size = 32
        let map = NucleusSegmenterTests.map([Ellipse(cx: 16, cy: 16, a: 6, b: 5, angle: 0.4)], width: size, height: size)
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for i in 0..<(size * size) {
            let rgb: [UInt8] = map[i] >= 0.5 ? [70, 50, 140] : [235, 160, 200]
            pixels.replaceSubrange((3 * i)..<(3 * i + 3), with: rgb)
        }
        let image = RGBImage(width: size, height: size, pixels: pixels)
        var planes = map.map { 1 - $0 } + map
        let nuclei = planes.withUnsafeMutableBufferPointer {
            TileNuclei(classCount: 2, nucleusClass: 1, size: size).find(
                probabilities: UnsafeBufferPointer($0), readWindow: PixelRect(x: 0, y: 0, width: size, height: size),
                ownWindow: PixelRect(x: 0, y: 0, width: size, height: size), image: image, micronsPerPixel: (0.5, 0.5))
        }
        #expect(nuclei.count == 1)
        let expected = HaematoxylinDensityReference.value(70, 50, 140)
        #expect(abs((nuclei.first?.meanHaematoxylinOD ?? 0) - expected) < 1e-9)
        #expect(expected > 0.5)   // a dark blue-purple is mostly haematoxylin
    }
}

/// The haematoxylin density written out from its definition (least squares onto Ruifrok and Johnston's normalised
/// H and E vectors of the optical density -ln((v + 1) / 240)), independently of `HaematoxylinDensity`'s table.
enum HaematoxylinDensityReference {
    static func value(_ r: Double, _ g: Double, _ b: Double) -> Double {
        func unit(_ v: [Double]) -> [Double] { let n = (v.map { $0 * $0 }.reduce(0, +)).squareRoot(); return v.map { $0 / n } }
        let h = unit([0.65, 0.70, 0.29]), e = unit([0.07, 0.99, 0.11])
        let od = [r, g, b].map { -log(($0 + 1) / 240) }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map(*).reduce(0, +) }
        let hh = dot(h, h), he = dot(h, e), ee = dot(e, e), hod = dot(h, od), eod = dot(e, od)
        return (ee * hod - he * eod) / (hh * ee - he * he)
    }
}
