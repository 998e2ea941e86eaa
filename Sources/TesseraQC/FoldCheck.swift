import Foundation
import TesseraCore

/// Tissue folds: double-thickness tissue, dark and high in both stains, judged against the slide's own tissue.
///
/// The image is unmixed into haematoxylin and eosin concentrations with the stain vectors of its own tissue
/// (Macenko, through TesseraStain; Ruifrok & Johnston's when they cannot be estimated), each smoothed by a Gaussian
/// of `smoothingMicrons`. With m_H, m_E and m_OD the medians over the tissue of the smoothed haematoxylin, eosin and
/// total optical density, a tissue pixel is fold when
/// - its total optical density is at least `densityFactor` x m_OD (a second layer of tissue roughly doubles it), and
/// - its haematoxylin is at least `haematoxylinFactor` x m_H and its eosin at least `eosinFactor` x m_E (both
///   stains raised: a cluster of dense nuclei is high in haematoxylin only, dense collagen in eosin only). Eosin is
///   asked to rise more: a fold doubles the cytoplasm and stroma under the nuclei, and tissue rich in nuclei
///   (CMU-1's epidermis) already stands high in haematoxylin and in total density without being folded.
/// Fold pixels are kept where a square opening of half `minimumWidthMicrons` keeps them (the dense band of keratin
/// along CMU-1's epidermis, 10-25 µm wide, is not a fold), in regions of at least `minimumAreaSquareMicrons`. A slide
/// that is folded over most of its tissue moves its own medians and is under-reported. The score is total optical
/// density / (`densityFactor` x m_OD). Suits 2-8 µm/px.
///
/// The factors were chosen on the artefact set (tools/qc, seed 26: IoU 0.67 on CMU-1, 0.87 on OS-1-detail, 1.7% of
/// CMU-1's clean tissue flagged). On other seeds the fold is found less well (CMU-1 0.28-0.51; OS-1-detail 0-0.80,
/// 0 where the fold is small), because a fold of loose tissue is no denser than the slide's dense epithelium: the
/// rule compares with the slide's medians, not with the fold's neighbours.
public struct FoldCheck: QualityCheck, Codable, Equatable {
    public var kind: ArtefactKind { .fold }

    public var smoothingMicrons: Double = 6
    public var densityFactor: Double = 1.4
    public var haematoxylinFactor: Double = 1.0
    public var eosinFactor: Double = 1.6
    public var minimumAreaSquareMicrons: Double = 4_000
    public var minimumWidthMicrons: Double = 20

    public init() {}

    public func run(_ input: QCInput) -> QCCheckResult {
        let width = input.image.width, height = input.image.height
        let n = width * height
        let vectors = StainPlanes.vectors(of: input.image)
        let raw = StainPlanes.concentrations(input.image, h: vectors.h, e: vectors.e)
        var total = [Float](repeating: 0, count: n)
        let od = StainPlanes.opticalDensity
        input.image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<n { total[i] = od[Int(p[3 * i])] + od[Int(p[3 * i + 1])] + od[Int(p[3 * i + 2])] }
        }
        let sigma = input.pixels(microns: smoothingMicrons)
        let h = Plane.gaussian(raw.h, width: width, height: height, sigma: sigma)
        let e = Plane.gaussian(raw.e, width: width, height: height, sigma: sigma)
        let density = Plane.gaussian(total, width: width, height: height, sigma: sigma)
        var tissueH: [Float] = [], tissueE: [Float] = [], tissueOD: [Float] = []
        for i in 0..<n where input.tissue.pixels[i] {
            tissueH.append(h[i]); tissueE.append(e[i]); tissueOD.append(density[i])
        }
        guard !tissueOD.isEmpty else {
            return QCCheckResult(kind: kind, mask: QCMask(width: width, height: height),
                                 score: [Float](repeating: 0, count: n), statistics: [:])
        }
        let medianH = Plane.percentile(tissueH, 50), medianE = Plane.percentile(tissueE, 50)
        let medianOD = Plane.percentile(tissueOD, 50)
        let densityLimit = Float(densityFactor) * medianOD
        let hLimit = Float(haematoxylinFactor) * medianH, eLimit = Float(eosinFactor) * medianE
        var fold = QCMask(width: width, height: height)
        var score = [Float](repeating: 0, count: n)
        for i in 0..<n {
            score[i] = densityLimit > 0 ? density[i] / densityLimit : 0
            if input.tissue.pixels[i] && density[i] >= densityLimit && h[i] >= hLimit && e[i] >= eLimit {
                fold.pixels[i] = true
            }
        }
        // Thin dense bands (keratin, a vessel wall seen edge-on) are not folds: what an opening of half the minimum
        // width removes is dropped.
        let halfWidth = Int((input.pixels(microns: minimumWidthMicrons) / 2).rounded())
        let wide = Plane.opening(fold, radius: halfWidth)
        let minimumPixels = max(1, input.pixels(squareMicrons: minimumAreaSquareMicrons))
        let mask = Regions.filter(wide) { $0.count >= minimumPixels }
        return QCCheckResult(kind: kind, mask: mask, score: score,
                             statistics: ["median_haematoxylin": Double(medianH), "median_eosin": Double(medianE),
                                          "median_optical_density": Double(medianOD),
                                          "stain_vectors_estimated": vectors.estimated ? 1 : 0])
    }
}
