import Foundation
import TesseraCore

/// Tissue folds: double-thickness tissue, judged against the slide's own tissue of the same stain mixture.
///
/// The image is unmixed into haematoxylin and eosin concentrations with the stain vectors of its own tissue
/// (Macenko, through TesseraStain; Ruifrok & Johnston's when they cannot be estimated); both and the total optical
/// density are smoothed by a Gaussian of `smoothingMicrons`. Each tissue pixel's *mixture* is the angle
/// atan2(eosin, haematoxylin) in 0-90° (0 all haematoxylin, 90 all eosin): a second layer of tissue adds density
/// without moving far from the mixture of what lies under it, while tissues of different mixture have very
/// different normal densities (CMU-1's epidermis, dense in nuclei, stands at 2-3x the slide's median density; its
/// loose dermis under half of it). So the slide's reference density is taken per mixture: the tissue's mixtures
/// are cut into `mixtureBins` equal bins, each bin's reference is the median total density of its tissue pixels (a
/// bin holding under `minimumBinFraction` of the tissue takes its nearest filled bin's), and a pixel's reference is
/// interpolated linearly between the bins' centres (so the result does not jump at a bin's edge). A tissue pixel is
/// fold when its density is at least `densityFactor` x its reference.
///
/// Fold pixels are kept where a square opening of half `minimumWidthMicrons` keeps them (the dense band of keratin
/// along CMU-1's epidermis, 10-25 µm wide, is not a fold), in regions of at least `minimumAreaSquareMicrons`. A slide
/// folded over most of one mixture's tissue moves that mixture's median and is under-reported. Suits 1-8 µm/px.
///
/// Chosen on the artefact set (tools/qc) seeds 26-30, reported on seeds 31-33 held out (BENCHMARKS.md, issue 26).
/// The window is narrow: at 1.45 CMU-1's keratin passes (1.6% of its clean tissue), at 1.65 OS-1-detail's folds,
/// seen through the reduction to 1 µm/px (the scanner's optics average light, not density), stand under it.
public struct FoldCheck: QualityCheck, Codable, Equatable {
    public var kind: ArtefactKind { .fold }

    public var smoothingMicrons: Double = 6
    public var mixtureBins: Int = 16
    public var minimumBinFraction: Double = 0.001
    public var densityFactor: Double = 1.55
    public var minimumAreaSquareMicrons: Double = 4_000
    public var minimumWidthMicrons: Double = 20

    public init() {}

    public func run(_ input: QCInput) -> QCCheckResult {
        let width = input.image.width, height = input.image.height
        let vectors = StainPlanes.vectors(of: input.image)
        let sigma = input.pixels(microns: smoothingMicrons)
        let bins = max(1, mixtureBins)
        // The smoothed planes are made a strip at a time, with the Gaussian's reach as the halo, so they hold a
        // strip, not the image; what the rule needs of them is kept for the tissue's pixels only, in raster order.
        let strips = RowStrips(width: width, height: height, halo: Plane.gaussianRadius(sigma: sigma))
        var tissueDensity: [Float] = [], tissueMixture: [Float] = []
        for strip in strips {
            let (density, mixture) = densityAndMixture(strip, input: input, vectors: vectors, sigma: sigma, bins: bins)
            let base = strip.rows.lowerBound * width
            for i in density.indices where input.tissue.pixels[base + i] {
                tissueDensity.append(density[i])
                tissueMixture.append(mixture[i])
            }
        }
        guard !tissueDensity.isEmpty else {
            return QCCheckResult(kind: kind, mask: QCMask(width: width, height: height), statistics: [:])
        }
        let (reference, filledBins) = { () -> ([Float], Int) in
            var perBin = [[Float]](repeating: [], count: bins)
            for (density, mixture) in zip(tissueDensity, tissueMixture) {
                perBin[min(bins - 1, Int(mixture))].append(density)
            }
            let minimumInBin = max(1, Int(minimumBinFraction * Double(tissueDensity.count)))
            var reference = perBin.indices.map { bin in
                perBin[bin].count >= minimumInBin ? Plane.percentile(sorting: &perBin[bin], 50) : Float.nan
            }
            let filled = reference.indices.filter { !reference[$0].isNaN }
            for k in reference.indices where reference[k].isNaN {
                reference[k] = reference[filled.min { abs($0 - k) < abs($1 - k) }!]
            }
            return (reference, filled.count)
        }()
        let medianDensity = Plane.percentile(tissueDensity, 50)
        let limits = reference.map { Float(densityFactor) * $0 }
        var fold = QCMask(width: width, height: height)
        var k = 0
        for i in input.tissue.pixels.indices where input.tissue.pixels[i] {
            // Linear between the bins' centres; flat beyond the first and last centre.
            let position = min(max(tissueMixture[k] - 0.5, 0), Float(bins - 1))
            let lower = Int(position), upper = min(lower + 1, bins - 1)
            let fraction = position - Float(lower)
            let limit = limits[lower] * (1 - fraction) + limits[upper] * fraction
            if limit > 0 && tissueDensity[k] >= limit { fold.pixels[i] = true }
            k += 1
        }
        tissueDensity = []
        tissueMixture = []
        // Thin dense bands (keratin, a vessel wall seen edge-on) are not folds: what an opening of half the minimum
        // width removes is dropped.
        let halfWidth = Int((input.pixels(microns: minimumWidthMicrons) / 2).rounded())
        let wide = Plane.opening(fold, radius: halfWidth)
        let minimumPixels = max(1, input.pixels(squareMicrons: minimumAreaSquareMicrons))
        let mask = Regions.filter(wide) { $0.count >= minimumPixels }
        return QCCheckResult(kind: kind, mask: mask,
                             statistics: ["median_optical_density": Double(medianDensity),
                                          "lowest_reference_density": Double(reference.min()!),
                                          "highest_reference_density": Double(reference.max()!),
                                          "mixture_bins_filled": Double(filledBins),
                                          "stain_vectors_estimated": vectors.estimated ? 1 : 0])
    }

    /// The smoothed total optical density of `strip.rows` and each pixel's mixture as a position in bins
    /// (0...bins), row-major at the image's width.
    private func densityAndMixture(_ strip: RowStrips.Strip, input: QCInput,
                                   vectors: (h: SIMD3<Double>, e: SIMD3<Double>, estimated: Bool),
                                   sigma: Double, bins: Int) -> (density: [Float], mixture: [Float]) {
        let width = input.image.width, rows = strip.computed.count
        let image = input.image.rows(strip.computed)
        let kept = (strip.offset * width)..<((strip.offset + strip.rows.count) * width)
        let raw = StainPlanes.concentrations(image, h: vectors.h, e: vectors.e)
        let h = Plane.gaussian(raw.h, width: width, height: rows, sigma: sigma)[kept]
        let e = Plane.gaussian(raw.e, width: width, height: rows, sigma: sigma)[kept]
        var total = [Float](repeating: 0, count: width * rows)
        let od = StainPlanes.opticalDensity
        image.pixels.withUnsafeBufferPointer { p in
            for i in total.indices { total[i] = od[Int(p[3 * i])] + od[Int(p[3 * i + 1])] + od[Int(p[3 * i + 2])] }
        }
        let density = Array(Plane.gaussian(total, width: width, height: rows, sigma: sigma)[kept])
        let toBins = Float(bins) / (Float.pi / 2)
        let mixture = zip(h, e).map { atan2(max($0.1, 0), max($0.0, 0)) * toBins }
        return (density, mixture)
    }
}
