import Foundation
import TesseraCore
import TesseraStain

/// Pen marks: ink colours that H&E does not produce, per pixel in CIELAB, connected into regions.
///
/// H&E tissue lies in a band of CIELAB hue angles h = atan2(b*, a*): eosin pink near 330-20°, haematoxylin
/// purple-blue near 290-330° (the fixtures' tissue, pixels with optical density >= 0.15 in each channel:
/// CMU-1-Small-Region 5th-95th percentile 317-354° plus reds through 0-12°; OS-1-detail, a bluer stain, 297-321°,
/// 0.1st percentile 288°). Inks, seen through the tissue they are drawn over (densities add), lie outside it:
/// - **green and teal** (h in `greenHues`, chroma >= `minimumGreenChroma`): no H&E pixel is green or cyan; teal
///   over pink tissue turns blue-violet, hence the band reaching 290°;
/// - **blue** (h in `blueHues`, L* <= `maximumBlueLightness`, chroma >= `blueChromaPerLightness` x L*): as blue as
///   the bluest haematoxylin, but far more saturated for its darkness (nuclei lose chroma as they darken; ink keeps
///   it). The band stops at 305° because the darkest nuclei of CMU-1 (311°) are as saturated as ink. On the
///   artefact set this takes the blue stroke and about 0.5% of OS-1-detail's tissue pixels (its darkest nuclei are
///   blue: 2% of them look like ink pixel by pixel), which the region rules then drop;
/// - **black** (L* <= `maximumBlackLightness` and chroma <= `maximumBlackChroma`: dark and colourless, where the
///   darkest nuclei and folds keep their purple; or, for black ink over saturated tissue, whose colour the tissue
///   tints, red and blue optical densities both >= `minimumBlackDensity` and >= `blackDensityRatio` x the green
///   one: black absorbs all three alike, while haematoxylin absorbs blue at about 0.4 of green and eosin red and
///   blue at about 0.1, so no H&E mixture, however dense, has both ratios at 0.6; red blood cells, which absorb
///   blue, pass no red).
/// Pixels darker than L* 8 have no meaningful hue, so only the black rule sees them. Candidates are closed by
/// `closingMicrons` (ink over a nucleus keeps the stroke whole), then a region counts when it covers at least
/// `minimumAreaSquareMicrons`; black candidates count only in regions wider than `minimumBlackWidthMicrons` (so the
/// thin dark lines of bubble edges, coverslip edges and dust are left to `BubbleEdgeCheck`).
///
/// Red ink is not looked for: its hue is eosin's. Ink is found on glass as well as on tissue. Suits 2-8 µm/px.
public struct PenMarkCheck: QualityCheck, Codable, Equatable {
    public var kind: ArtefactKind { .pen }

    public var greenHues: ClosedRange<Double> = 100...290
    public var minimumGreenChroma: Double = 10
    public var blueHues: ClosedRange<Double> = 260...305
    public var maximumBlueLightness: Double = 40
    public var blueChromaPerLightness: Double = 1.7
    public var maximumBlackLightness: Double = 25
    public var maximumBlackChroma: Double = 15
    public var minimumBlackDensity: Double = 1.0
    public var blackDensityRatio: Double = 0.6
    public var closingMicrons: Double = 4
    public var minimumAreaSquareMicrons: Double = 2_000
    public var minimumBlackWidthMicrons: Double = 12

    public init() {}

    /// Which rule a colour matches, if any.
    public enum Ink: Sendable, Equatable { case green, blue, black }

    public func ink(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Ink? {
        let lab = StainColour.lab(r, g, b)
        let chroma = (lab.y * lab.y + lab.z * lab.z).squareRoot()
        if lab.x <= maximumBlackLightness && chroma <= maximumBlackChroma { return .black }
        let least = min(StainColour.opticalDensity(r), StainColour.opticalDensity(b))
        if least >= minimumBlackDensity && least >= blackDensityRatio * StainColour.opticalDensity(g) { return .black }
        guard lab.x >= 8 else { return nil }
        var hue = atan2(lab.z, lab.y) * 180 / .pi
        if hue < 0 { hue += 360 }
        if greenHues.contains(hue) && chroma >= minimumGreenChroma { return .green }
        if blueHues.contains(hue) && lab.x <= maximumBlueLightness && chroma >= blueChromaPerLightness * lab.x {
            return .blue
        }
        return nil
    }

    public func run(_ input: QCInput) -> QCCheckResult {
        let image = input.image
        let width = image.width, height = image.height
        let closing = max(0, Int(input.pixels(microns: closingMicrons).rounded()))
        let minimumPixels = max(1, input.pixels(squareMicrons: minimumAreaSquareMicrons))
        // The candidates in a scope of their own: the ink masks and the opening are gone before the closing runs.
        let candidates = { () -> QCMask in
            var colour = QCMask(width: width, height: height), black = colour
            // Colours repeat: one CIELAB conversion per distinct colour.
            var cache: [UInt32: UInt8] = [:]
            image.pixels.withUnsafeBufferPointer { p in
                for i in 0..<(width * height) {
                    let r = p[3 * i], g = p[3 * i + 1], b = p[3 * i + 2]
                    let key = UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)
                    let code: UInt8
                    if let known = cache[key] { code = known } else {
                        switch ink(r, g, b) {
                        case .green?, .blue?: code = 1
                        case .black?: code = 2
                        case nil: code = 0
                        }
                        cache[key] = code
                    }
                    if code == 1 { colour.pixels[i] = true } else if code == 2 { black.pixels[i] = true }
                }
            }
            // Black regions must survive an opening of half their minimum width.
            let halfWidth = Int((input.pixels(microns: minimumBlackWidthMicrons) / 2).rounded())
            let wideBlack = Plane.opening(black, radius: halfWidth)
            let blackCores = Regions.filter(black) { region in region.contains { wideBlack.pixels[$0] } }
            return colour.union(blackCores)
        }()
        let closed = Plane.closing(candidates, radius: closing)
        let mask = Regions.filter(closed) { $0.count >= minimumPixels }
        return QCCheckResult(kind: kind, mask: mask,
                             statistics: ["candidate_pixels": Double(candidates.count),
                                          "minimum_region_pixels": Double(minimumPixels)])
    }
}
