import Foundation
import TesseraCore
import TesseraSlide
import TesseraStore

/// Why a slide's numbers need a person's eye, decided once at planning and stored as data (`review_flags`).
enum SlideReview {
    /// A slide whose Reinhard statistics lie further than this from the model's reference (`LabStatistics.distance`)
    /// is flagged. Measured (1 µm/px, 128-px tiles): the reference slide itself 0.42 (another sample of the same
    /// tissue); CMU re-stained in CIELAB by a* +10 (one reference deviation) 0.94, L* spread halved 0.93, b* -10 1.06,
    /// a* +20 1.66, a paler stain 2.76; the other lab's H&E in issue 24 (a* mean 47 against 30.6, L spread 7.1
    /// against 16) computes to about 1.8. See README, "Slides that need review".
    static let stainDistanceThreshold = 1.0

    static func flags(resolution: SlideResolution, brightfieldWarning: String?, plan: TilePlan,
                      stain: SlideStain) -> [ReviewFlag] {
        var flags: [ReviewFlag] = []
        if let brightfieldWarning { flags.append(ReviewFlag(.fluorescence, brightfieldWarning)) }
        if plan.tiles.isEmpty {
            flags.append(ReviewFlag(.noTissue, "no tile had enough tissue (\(plan.skippedCount) tiles below "
                                    + "\(plan.minimumTissueFraction) tissue): nothing was analysed"))
        }
        if let distance = stain.labDistance, distance > stainDistanceThreshold {
            flags.append(ReviewFlag(.stainFarFromReference, String(format: "the slide's stain lies %.2f from the model's "
                + "reference (flagged above %.1f): its results are outside what the model was made for", distance,
                stainDistanceThreshold), value: distance))
        }
        if let warning = stain.record.warning { flags.append(ReviewFlag(.stainEstimateFailed, warning)) }
        switch resolution.source {
        case .userStated, .userOverride:
            let option = resolution.source == .userStated ? "--slide-mpp" : "--override-slide-mpp"
            flags.append(ReviewFlag(.mppStatedByUser, String(format: "the resolution %.4g µm/px was stated by a person ",
                                                             resolution.mpp) + "(\(option)), not by the file"))
        case .objectivePower:
            flags.append(ReviewFlag(.mppFromObjective, String(format: "the resolution %.4g µm/px was derived from the "
                + "objective power (10 / power), not stated by the file", resolution.mpp)))
        case .file:
            break
        }
        return flags
    }
}
