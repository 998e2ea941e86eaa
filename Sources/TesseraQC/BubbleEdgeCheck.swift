import Foundation
import TesseraCore
import TesseraStain

/// The edges of air bubbles and of the coverslip: thin, dark, colourless lines (light refracted at an air-mountant
/// boundary), long compared with their width.
///
/// Rule: a pixel is a candidate when it is colourless (CIELAB chroma <= `maximumChroma`) and darker than glass
/// (L* <= `maximumLightness`); a connected candidate region is an edge when an opening of half
/// `maximumWidthMicrons` removes all of it (it is thin: wider dark colourless regions are black ink, for
/// `PenMarkCheck`) and its bounding box's longer side is at least `minimumLengthMicrons` (dust and single dark
/// pixels are shorter). The mask is those regions grown by `marginMicrons`.
///
/// What it does not do, and why:
/// - the inside of a bubble (tissue seen through air: slightly blurred, with a greyish cast) is not flagged as a
///   whole: its colour is the tissue's own, and a region-filling rule (closing the edge's arc into a disc) fails on
///   arcs that leave the image or cross each other; `BlurCheck` finds the bubble's blurred inside where there is one;
/// - where the edge crosses dark, saturated tissue its colour is the tissue's, so only the stretches over glass and
///   light tissue are found;
/// - debris is not looked for: at a thumbnail's resolution it is indistinguishable from small tissue fragments
///   without a learned model.
/// Suits 1-4 µm/px (an edge a few µm wide vanishes at 8).
public struct BubbleEdgeCheck: QualityCheck, Codable, Equatable {
    public var kind: ArtefactKind { .bubbleEdge }

    public var maximumChroma: Double = 10
    public var maximumLightness: Double = 75
    public var maximumWidthMicrons: Double = 12
    public var minimumLengthMicrons: Double = 100
    public var marginMicrons: Double = 2

    public init() {}

    public func run(_ input: QCInput) -> QCCheckResult {
        let image = input.image
        let width = image.width, height = image.height
        var candidates = QCMask(width: width, height: height)
        var cache: [UInt32: Bool] = [:]
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<(width * height) {
                let r = p[3 * i], g = p[3 * i + 1], b = p[3 * i + 2]
                let key = UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)
                if let known = cache[key] { candidates.pixels[i] = known; continue }
                let lab = StainColour.lab(r, g, b)
                let grey = lab.x <= maximumLightness && (lab.y * lab.y + lab.z * lab.z).squareRoot() <= maximumChroma
                cache[key] = grey
                candidates.pixels[i] = grey
            }
        }
        let halfWidth = max(1, Int((input.pixels(microns: maximumWidthMicrons) / 2).rounded()))
        let wide = Plane.opening(candidates, radius: halfWidth)
        let minimumLength = input.pixels(microns: minimumLengthMicrons)
        let edges = Regions.filter(candidates) { region in
            if region.contains(where: { wide.pixels[$0] }) { return false }
            var minX = Int.max, maxX = Int.min, minY = Int.max, maxY = Int.min
            for p in region {
                let x = p % width, y = p / width
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
            }
            return Double(max(maxX - minX + 1, maxY - minY + 1)) >= minimumLength
        }
        let margin = Int(input.pixels(microns: marginMicrons).rounded())
        let mask = Plane.morph(edges, radius: margin, grow: true)
        return QCCheckResult(kind: kind, mask: mask,
                             statistics: ["candidate_pixels": Double(candidates.count)])
    }
}
