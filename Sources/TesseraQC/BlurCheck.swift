import Foundation
import TesseraCore

/// Out-of-focus tissue, judged against the slide's own focused tissue rather than a fixed constant.
///
/// Focus measure: the variance of the Laplacian (the mean of the squared 4-neighbour Laplacian of luminance, in
/// 0...1 units) over the tissue pixels of a `blockPixels`-wide square window. The window is set in pixels, not µm:
/// the measure is a variance that needs a few hundred pixels to be stable, whatever their size (25 px is 50 µm at
/// 2 µm/px, 25 µm at 1 µm/px). Tissue pixels on the tissue's own border are left out (the step from tissue to glass
/// is sharp even in a blurred region). A window is judged when at least `minimumTissueFraction` of it is tissue.
///
/// Rule: the slide's reference focus is the `referencePercentile`-th percentile of the focus of its tissue blocks
/// (windows on a grid of half-block steps); a tissue pixel is blurred when the window centred on it has a focus
/// below `blurredFraction` times that reference. Blurred pixels are kept in regions of at least
/// `minimumAreaSquareMicrons`. So a slide that is sharp except for a band flags the band; a slide blurred
/// everywhere is not flagged (its own best tissue is the reference): the `reference_focus` statistic, compared
/// across a lab's slides, is what shows that case.
///
/// Suits 1-2 µm/px:
/// coarser, and a blur of a few µm leaves little trace. On the artefact set (tools/qc; Gaussian blur of sigma 3 and
/// 5 µm) the IoU is 0.83-0.92 on CMU-1 at 2 µm/px and 0.67-0.70 on OS-1-detail at 1 µm/px, whose blurred regions are
/// hardly wider than the window; 1.2% of CMU-1's clean tissue is flagged (its smooth, dense epidermis).
public struct BlurCheck: QualityCheck, Codable, Equatable {
    public var kind: ArtefactKind { .blur }

    public var blockPixels: Int = 25
    public var minimumTissueFraction: Double = 0.5
    public var referencePercentile: Double = 90
    public var blurredFraction: Double = 0.15
    public var minimumAreaSquareMicrons: Double = 1_000

    public init() {}

    public func run(_ input: QCInput) -> QCCheckResult {
        let width = input.image.width, height = input.image.height
        let radius = max(1, blockPixels / 2)
        // The focus is made a strip at a time, twice (once for the slide's reference, once against it), so its
        // planes hold a strip, not the image. A row's focus needs the Laplacian `radius` rows away, which needs
        // luminance and the eroded tissue one row further: a halo of radius + 2.
        let strips = RowStrips(width: width, height: height, halo: radius + 2)
        // The slide's blocks: windows centred on a half-block grid.
        let step = max(1, radius)
        var blocks: [Float] = []
        for strip in strips {
            let focus = focusRows(strip, input: input, radius: radius)
            for y in stride(from: radius, to: height, by: step) where strip.rows.contains(y) {
                let row = (y - strip.rows.lowerBound) * width
                for x in stride(from: radius, to: width, by: step) where focus[row + x] >= 0 { blocks.append(focus[row + x]) }
            }
        }
        guard !blocks.isEmpty else {
            return QCCheckResult(kind: kind, mask: QCMask(width: width, height: height), statistics: ["blocks": 0])
        }
        let reference = Plane.percentile(blocks, referencePercentile)
        let threshold = Float(blurredFraction) * reference
        var blurred = QCMask(width: width, height: height)
        for strip in strips {
            let focus = focusRows(strip, input: input, radius: radius)
            let base = strip.rows.lowerBound * width
            for i in focus.indices where focus[i] >= 0 && focus[i] < threshold && input.tissue.pixels[base + i] {
                blurred.pixels[base + i] = true
            }
        }
        let minimumPixels = max(1, input.pixels(squareMicrons: minimumAreaSquareMicrons))
        let mask = Regions.filter(blurred) { $0.count >= minimumPixels }
        let blurredBlocks = blocks.filter { $0 < threshold }.count
        return QCCheckResult(kind: kind, mask: mask,
                             statistics: ["reference_focus": Double(reference), "threshold": Double(threshold),
                                          "blocks": Double(blocks.count), "blurred_blocks": Double(blurredBlocks)])
    }

    /// The focus of `strip.rows` (row-major, the image's width), -1 where the window holds too little tissue.
    private func focusRows(_ strip: RowStrips.Strip, input: QCInput, radius: Int) -> [Float] {
        let width = input.image.width, height = input.image.height
        let computed = strip.computed, rows = computed.count, n = width * rows
        let gray = Plane.luminance(input.image.rows(computed))
        let inner = Plane.morph(input.tissue.rows(computed), radius: 1, grow: false)
        var squared = [Float](repeating: 0, count: n)
        var counted = [Float](repeating: 0, count: n)
        if width >= 3 && rows >= 3 {
            // The image's first and last rows have no Laplacian; nor have the strip's (halo rows, out of reach).
            for local in max(1, 1 - computed.lowerBound)..<min(rows - 1, height - 1 - computed.lowerBound) {
                for x in 1..<(width - 1) {
                    let i = local * width + x
                    guard inner.pixels[i] else { continue }
                    let l = gray[i - 1] + gray[i + 1] + gray[i - width] + gray[i + width] - 4 * gray[i]
                    squared[i] = l * l
                    counted[i] = 1
                }
            }
        }
        let sums = Plane.boxSum(squared, width: width, height: rows, radius: radius)
        let counts = Plane.boxSum(counted, width: width, height: rows, radius: radius)
        var focus = [Float](repeating: -1, count: width * strip.rows.count)
        for y in strip.rows {
            let h = min(height, y + radius + 1) - max(0, y - radius)
            let local = y - computed.lowerBound
            for x in 0..<width {
                let w = min(width, x + radius + 1) - max(0, x - radius)
                let i = local * width + x
                if Double(counts[i]) >= minimumTissueFraction * Double(w * h) {
                    focus[(y - strip.rows.lowerBound) * width + x] = sums[i] / counts[i]
                }
            }
        }
        return focus
    }
}
