import Foundation
import TesseraCore
import TesseraSlide
import TesseraStain
import TesseraStore

/// `--stain` / pipeline key `stain`: which normalisation a run applies. nil (the default) means the model's own
/// reference method when it declares one, else none.
public enum StainOption: String, Sendable, Codable, CaseIterable {
    case none, reinhard, macenko
}

/// `--stain-estimate` / pipeline key `stain_estimate`: where the source statistics come from.
public enum StainEstimationMode: String, Sendable, Codable, CaseIterable {
    /// Once per slide, from a fixed sample of its tissue tiles: every tile gets the same transform (no seams).
    case slide
    /// From each tile alone (for comparison: neighbouring tiles get different transforms).
    case tile
}

/// The run's normalisation, resolved once from the configuration and the model.
struct ResolvedStain: Sendable, Equatable {
    let method: StainMethod?
    let target: StainStatistics?
    let estimation: StainEstimationMode
    /// The model's Reinhard reference, whatever the run applies: each slide's distance from it is measured, so that a
    /// slide stained unlike anything the model saw is flagged for review (not part of the parameters).
    var reviewReference: LabStatistics? = nil

    static let off = ResolvedStain(method: nil, target: nil, estimation: .slide)

    static func resolve(option: StainOption?, estimation: StainEstimationMode,
                        model: SegmentationModelIdentity) throws(RunError) -> ResolvedStain {
        let reference: StainReference?
        do {
            reference = try model.stainReference.map { try StainReference(json: $0) }
        } catch {
            throw .invalidParameter("model \(model.path): \(error); recompute it with `tessera model stain-reference`")
        }
        let method: StainMethod
        var off = ResolvedStain.off
        off.reviewReference = reference?.reinhard
        switch option {
        case .none?: return off
        case nil:
            guard let reference else { return off }
            method = reference.method
        case .reinhard?: method = .reinhard
        case .macenko?: method = .macenko
        }
        guard let target = reference?.target(for: method) else {
            throw .invalidParameter("--stain \(method.rawValue): model \(model.path) declares no \(method.rawValue) stain_reference; "
                + "compute one with `tessera model stain-reference \(model.path) --from <training slides>`, or use --stain none")
        }
        return ResolvedStain(method: method, target: target, estimation: estimation, reviewReference: reference?.reinhard)
    }

    /// What enters the run's parameters (and so its hash): changing the method, the estimation or the target
    /// re-runs a slide.
    var parameters: [String: String] {
        guard let method, let target else { return ["stain": "none"] }
        return ["stain": method.rawValue, "stain_estimate": estimation.rawValue, "stain_target": target.json]
    }

    /// Decides, at planning, how `plan`'s tiles will be normalised. Never throws: a slide whose stain cannot be
    /// estimated (a fluorescence slide, too little tissue, an unreadable sample tile) is processed without
    /// normalisation and its record carries the warning.
    func planSlide(_ plan: TilePlan, read: (PlannedTile) throws -> RGBImage) -> SlideStain {
        var stain = normalisation(plan, read: read)
        guard let reviewReference, !plan.tiles.isEmpty else { return stain }
        // The slide's Reinhard statistics: those just estimated, or estimated now from the same fixed sample.
        var statistics: LabStatistics?
        if let source = stain.source, case .reinhard(let lab) = source { statistics = lab }
        else if let sample = try? StainSample.slide(plan: plan, read: read),
                case .reinhard(let lab)? = try? StainEstimation.estimate(.reinhard, from: sample) { statistics = lab }
        stain.labDistance = statistics.map { $0.distance(to: reviewReference) }
        return stain
    }

    func normalisation(_ plan: TilePlan, read: (PlannedTile) throws -> RGBImage) -> SlideStain {
        guard let method, let target else {
            return SlideStain(transform: nil, perTile: false, record: SlideStainRecord(
                method: nil, estimation: nil, sourceJSON: nil, targetJSON: nil, warning: nil))
        }
        if estimation == .tile {
            return SlideStain(transform: nil, perTile: true, target: target, record: SlideStainRecord(
                method: method.rawValue, estimation: "tile", sourceJSON: nil, targetJSON: target.json, warning: nil))
        }
        do {
            let sample = try StainSample.slide(plan: plan, read: read)
            let source = try StainEstimation.estimate(method, from: sample)
            var stain = SlideStain(transform: StainTransform(source: source, target: target), perTile: false, record: SlideStainRecord(
                method: method.rawValue, estimation: "slide", sourceJSON: source.json, targetJSON: target.json, warning: nil))
            stain.source = source
            return stain
        } catch {
            return SlideStain(transform: nil, perTile: false, record: SlideStainRecord(
                method: nil, estimation: "slide", sourceJSON: nil, targetJSON: target.json,
                warning: "not stain-normalised (\(method.rawValue)): \(error)"))
        }
    }
}

/// One slide's normalisation, fixed at planning and applied by the reader threads.
struct SlideStain: Sendable {
    /// The slide's transform (per-slide estimation); nil when off, per tile, or fallen back.
    let transform: StainTransform?
    let perTile: Bool
    var target: StainStatistics? = nil
    let record: SlideStainRecord
    /// The slide's statistics as estimated for its transform, when they were.
    var source: StainStatistics? = nil
    /// The slide's distance from the model's Reinhard reference (`LabStatistics.distance`); nil when the model has
    /// none or the slide's stain could not be estimated.
    var labDistance: Double? = nil

    /// Normalises a tile read from the slide in place. Per tile, a tile whose own estimate fails is left as read.
    func apply(to image: inout RGBImage) {
        if let transform {
            transform.apply(to: &image)
        } else if perTile, let target {
            var sample = StainSample()
            sample.add(image)
            if let source = try? StainEstimation.estimate(target.method, from: sample) {
                StainTransform(source: source, target: target).apply(to: &image)
            }
        }
    }

    /// Copies of `tiles` normalised as `apply(to:)` normalises one (calibration tiles drawn from the slide).
    func normalised(_ tiles: [RGBImage]) -> [RGBImage] {
        tiles.map { tile in
            var tile = tile
            apply(to: &tile)
            return tile
        }
    }
}

/// The normalisation `tessera model quantize` gives its calibration tiles: by default the one `tessera run` applies
/// for the model (its `stain_reference` method, statistics per slide), so that an int8 file's activation ranges are
/// those of the tiles the network will see. (A run that quantises on the fly draws its tiles through its own reader,
/// which normalises them already.)
public struct CalibrationStain: Sendable {
    let resolved: ResolvedStain

    /// `option` as `--stain` takes it: nil for the model's own method, else none, reinhard or macenko.
    public init(option: StainOption?, model: SegmentationModelIdentity) throws(RunError) {
        resolved = try ResolvedStain.resolve(option: option, estimation: .slide, model: model)
    }

    /// "none", "reinhard" or "macenko": recorded in the int8 file (`calibration_stain`).
    public var method: String { resolved.method?.rawValue ?? "none" }

    /// Tiles drawn from a slide's `plan`, normalised as a run normalises that slide. The warning says why a slide's
    /// stain could not be estimated; its tiles are then left as read, as a run leaves them.
    public func normalise(_ tiles: [RGBImage], plan: TilePlan, read: (PlannedTile) throws -> RGBImage) -> (tiles: [RGBImage], warning: String?) {
        let stain = resolved.normalisation(plan, read: read)
        return (stain.normalised(tiles), stain.record.warning)
    }

    /// Tiles given as images (PNG tiles, a .npy stack), normalised with statistics estimated from all of them together
    /// (they stand for one slide).
    public func normalise(_ tiles: [RGBImage]) -> (tiles: [RGBImage], warning: String?) {
        guard let method = resolved.method, let target = resolved.target, !tiles.isEmpty else { return (tiles, nil) }
        var sample = StainSample()
        for tile in tiles { sample.add(tile) }
        do {
            let transform = StainTransform(source: try StainEstimation.estimate(method, from: sample), target: target)
            return (tiles.map(transform.applied(to:)), nil)
        } catch {
            return (tiles, "not stain-normalised (\(method.rawValue)): \(error)")
        }
    }
}
