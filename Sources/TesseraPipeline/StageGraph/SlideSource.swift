import Foundation
import TesseraCore
import TesseraSlide

/// Opens slides for a run: OpenSlide in the product, synthetic slides in the graph's unit tests.
public protocol SlideSource: Sendable {
    /// Opens the slide at `url`, or throws an error that names the file and the problem.
    func open(_ url: URL) throws -> any SourceSlide
    /// Whether there is anything at `url` to open (a run given only missing files writes nothing).
    func exists(_ url: URL) -> Bool
}

extension SlideSource {
    /// Synthetic sources make their slides up: every one exists.
    public func exists(_ url: URL) -> Bool { true }
}

/// An open slide: what the run records of it, its tissue and tile plan, and its pixels. Reads may run on several
/// threads at once.
public protocol SourceSlide: Sendable {
    var url: URL { get }
    var width: Int { get }
    var height: Int { get }
    var vendor: String? { get }
    /// A hash of the file's content that identifies the slide (OpenSlide's quickhash-1).
    var quickhash: String? { get }
    /// The resolution the file states, per axis.
    var micronsPerPixel: (x: Double, y: Double)? { get }
    var objectivePower: Double? { get }
    /// The resolution the run uses: `overrideMPP` over the file's, the file's over `userStatedMPP` (a fallback).
    func resolution(userStatedMPP: Double?, overrideMPP: Double?) throws -> SlideResolution
    /// Finds the tissue and plans the tiles at `targetMPP`.
    func planTiles(resolution: SlideResolution, targetMPP: Double, tileSize: Int, overlap: Int,
                   tissue: TissueSettings) throws -> TilePlan
    /// The plan and the tissue mask it was made from (nil for slides without one: every pixel counts as tissue).
    func planTilesWithMask(resolution: SlideResolution, targetMPP: Double, tileSize: Int, overlap: Int,
                           tissue: TissueSettings) throws -> (plan: TilePlan, mask: TissueMask?)
    /// The level-0 window resampled to outputWidth x outputHeight (outside the slide reads as white). Blocking.
    func read(level0Window: PixelRect, outputWidth: Int, outputHeight: Int) throws -> RGBImage
    /// A warning when the slide does not look like bright-field H&E (a fluorescence scan); nil when it does. Blocking.
    func brightfieldWarning() -> String?
}

extension SourceSlide {
    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }
    /// Synthetic slides are whatever their test makes them: no check.
    public func brightfieldWarning() -> String? { nil }

    public func planTilesWithMask(resolution: SlideResolution, targetMPP: Double, tileSize: Int, overlap: Int,
                                  tissue: TissueSettings) throws -> (plan: TilePlan, mask: TissueMask?) {
        (try planTiles(resolution: resolution, targetMPP: targetMPP, tileSize: tileSize, overlap: overlap,
                       tissue: tissue), nil)
    }
}

/// Slides read with OpenSlide.
public struct OpenSlideSource: SlideSource {
    public init() {}
    public func open(_ url: URL) throws -> any SourceSlide { try Slide(contentsOf: url) }
    public func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }
}

extension Slide: SourceSlide {
    public func brightfieldWarning() -> String? {
        let overview = try? BrightfieldCheck.overview(of: { try read(level0Window: $0, outputWidth: $1, outputHeight: $2) },
                                                      width: width, height: height)
        return overview.flatMap(BrightfieldCheck.warning(for:))
    }

    public func planTiles(resolution: SlideResolution, targetMPP: Double, tileSize: Int, overlap: Int,
                          tissue: TissueSettings) throws -> TilePlan {
        try TilePlan.plan(slide: self, resolution: resolution, targetMPP: targetMPP, tileSize: tileSize,
                          overlap: overlap, tissue: tissue).plan
    }

    public func planTilesWithMask(resolution: SlideResolution, targetMPP: Double, tileSize: Int, overlap: Int,
                                  tissue: TissueSettings) throws -> (plan: TilePlan, mask: TissueMask?) {
        let planned = try TilePlan.plan(slide: self, resolution: resolution, targetMPP: targetMPP, tileSize: tileSize,
                                        overlap: overlap, tissue: tissue)
        return (planned.plan, planned.mask)
    }
}
