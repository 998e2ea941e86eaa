import Foundation
import Testing
import TesseraCore
import TesseraStain
@testable import TesseraQC

/// The fold check's planes: the table-driven H&E unmixing against TesseraStain's per-pixel unmixer, and the
/// Gaussian against a direct sum with clamped borders.
@Suite struct StainPlanesTests {
    /// Every 8-bit colour of a 17-step grid (4,913 colours), unmixed with CMU-1-like and Ruifrok's vectors.
    @Test func tableUnmixingEqualsThePerPixelUnmixer() {
        let steps = stride(from: 0, through: 255, by: 16).map { UInt8($0) } + [255]
        var bytes: [UInt8] = []
        for r in steps { for g in steps { for b in steps { bytes += [r, g, b] } } }
        let image = RGBImage(width: bytes.count / 3, height: 1, pixels: bytes)
        let cases: [(SIMD3<Double>, SIMD3<Double>)] = [
            (StainColour.ruifrokHaematoxylin, StainColour.ruifrokEosin),
            (SIMD3(0.57, 0.74, 0.36), SIMD3(0.21, 0.87, 0.44)),
        ]
        for (h, e) in cases {
            let planes = StainPlanes.concentrations(image, h: h, e: e)
            let unmixer = StainColour.Unmixer(haematoxylin: h, eosin: e)
            var worst: Float = 0
            for i in 0..<image.width {
                let od = SIMD3<Double>(Double(StainPlanes.opticalDensity[Int(bytes[3 * i])]),
                                       Double(StainPlanes.opticalDensity[Int(bytes[3 * i + 1])]),
                                       Double(StainPlanes.opticalDensity[Int(bytes[3 * i + 2])]))
                let c = unmixer.concentrations(od)
                worst = max(worst, abs(planes.h[i] - Float(c.x)), abs(planes.e[i] - Float(c.y)))
            }
            // Concentrations reach about 15 at value 0 (optical density 5.5 per channel): float rounding only.
            #expect(worst < 5e-5, "largest difference \(worst)")
            #expect(planes.h.count == 4_913)
        }
    }

    @Test func gaussianEqualsADirectSumWithClampedBorders() {
        let width = 37, height = 23, sigma = 2.5
        let plane = (0..<(width * height)).map { Float(($0 * 7919) % 101) / 100 }
        let blurred = Plane.gaussian(plane, width: width, height: height, sigma: sigma)
        let radius = Int((3 * sigma).rounded(.up))
        let weights = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        var worst = 0.0
        for y in 0..<height {
            for x in 0..<width {
                var sum = 0.0
                for dy in -radius...radius {
                    for dx in -radius...radius {
                        let xx = min(width - 1, max(0, x + dx)), yy = min(height - 1, max(0, y + dy))
                        sum += weights[dx + radius] * weights[dy + radius] / (total * total) * Double(plane[yy * width + xx])
                    }
                }
                worst = max(worst, abs(sum - Double(blurred[y * width + x])))
            }
        }
        #expect(worst < 1e-5, "largest difference \(worst)")
    }
}
