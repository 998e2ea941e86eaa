import Foundation

/// A slide's QC verdict.
public enum QCVerdict: String, Sendable, Codable, Comparable {
    /// Artefacts cover too little tissue to matter to the slide's numbers.
    case pass
    /// Enough artefact that a person should look before the numbers are used.
    case review
    /// So much artefact (or no tissue) that the slide's numbers are not to be used as they are.
    case fail

    private var order: Int { self == .pass ? 0 : self == .review ? 1 : 2 }
    public static func < (a: QCVerdict, b: QCVerdict) -> Bool { a.order < b.order }
}

/// The thresholds of the verdict, on the share of the slide's tissue that some artefact covers (the union of the
/// checks' masks within the tissue, so tissue under two artefacts counts once).
///
/// Defaults: **pass** under 5% (the false-positive level of the checks on clean tissue is at most 2%, so 5% is
/// clearly more than noise, and a few % of tissue moves class shares by at most a few %); **review** from 5%;
/// **fail** from 25% (a quarter of the tissue unusable: the slide should be rescanned or recut), or when any single
/// kind covers `failShareOfOneKind` (25%) or more. A slide with no tissue fails: nothing in it can be analysed.
public struct QCVerdictThresholds: Sendable, Codable, Equatable {
    public var reviewShare: Double = 0.05
    public var failShare: Double = 0.25
    public var failShareOfOneKind: Double = 0.25

    public init(reviewShare: Double = 0.05, failShare: Double = 0.25, failShareOfOneKind: Double = 0.25) {
        self.reviewShare = reviewShare
        self.failShare = failShare
        self.failShareOfOneKind = failShareOfOneKind
    }
}

/// The checks' masks combined: per kind, the area flagged in mm² (in all and within tissue) and its share of the
/// tissue; the union's; and the verdict.
public struct SlideQCReport: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var kind: ArtefactKind
        /// Area of the kind's mask, on glass or tissue.
        public var areaMM2: Double
        /// Area of the kind's mask within the tissue.
        public var tissueAreaMM2: Double
        /// `tissueAreaMM2 / tissue area` (0 with no tissue).
        public var tissueShare: Double
    }

    public var tissueAreaMM2: Double
    public var entries: [Entry]
    /// Tissue under at least one artefact.
    public var artefactTissueAreaMM2: Double
    public var artefactTissueShare: Double
    public var verdict: QCVerdict
    /// Why the verdict is what it is, for a person.
    public var reason: String
    public var thresholds: QCVerdictThresholds

    public init(results: [QCCheckResult], tissue: QCMask, micronsPerPixel: Double,
                thresholds: QCVerdictThresholds = .init()) {
        let pixelMM2 = micronsPerPixel * micronsPerPixel / 1_000_000
        let tissuePixels = tissue.count
        tissueAreaMM2 = Double(tissuePixels) * pixelMM2
        var union = QCMask(width: tissue.width, height: tissue.height)
        // One entry per kind: two checks of one kind (a lab's and ours) are merged.
        var byKind: [ArtefactKind: QCMask] = [:]
        var order: [ArtefactKind] = []
        for result in results {
            precondition(result.mask.width == tissue.width && result.mask.height == tissue.height)
            if let mask = byKind[result.kind] { byKind[result.kind] = mask.union(result.mask) } else {
                byKind[result.kind] = result.mask
                order.append(result.kind)
            }
            union = union.union(result.mask)
        }
        entries = order.map { kind in
            let mask = byKind[kind]!
            let inTissue = mask.intersectionCount(tissue)
            return Entry(kind: kind, areaMM2: Double(mask.count) * pixelMM2, tissueAreaMM2: Double(inTissue) * pixelMM2,
                         tissueShare: tissuePixels > 0 ? Double(inTissue) / Double(tissuePixels) : 0)
        }
        let unionInTissue = union.intersectionCount(tissue)
        artefactTissueAreaMM2 = Double(unionInTissue) * pixelMM2
        artefactTissueShare = tissuePixels > 0 ? Double(unionInTissue) / Double(tissuePixels) : 0
        self.thresholds = thresholds
        let percent = { (share: Double) in String(format: "%.1f%%", share * 100) }
        if tissuePixels == 0 {
            verdict = .fail
            reason = "no tissue found"
        } else if let worst = entries.max(by: { $0.tissueShare < $1.tissueShare }),
                  worst.tissueShare >= thresholds.failShareOfOneKind {
            verdict = .fail
            reason = "\(worst.kind) covers \(percent(worst.tissueShare)) of the tissue (fail from \(percent(thresholds.failShareOfOneKind)))"
        } else if artefactTissueShare >= thresholds.failShare {
            verdict = .fail
            reason = "artefacts cover \(percent(artefactTissueShare)) of the tissue (fail from \(percent(thresholds.failShare)))"
        } else if artefactTissueShare >= thresholds.reviewShare {
            verdict = .review
            reason = "artefacts cover \(percent(artefactTissueShare)) of the tissue (review from \(percent(thresholds.reviewShare)))"
        } else {
            verdict = .pass
            reason = "artefacts cover \(percent(artefactTissueShare)) of the tissue (under \(percent(thresholds.reviewShare)))"
        }
    }

    public func entry(_ kind: ArtefactKind) -> Entry? { entries.first { $0.kind == kind } }
}
