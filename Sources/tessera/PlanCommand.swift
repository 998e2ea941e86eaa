import ArgumentParser
import Foundation
import TesseraCore
import TesseraNetwork
import TesseraPipeline
import TesseraSlide

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Detect tissue and plan overlapping tiles at a target resolution.",
        discussion: """
            Tile (column, row) owns a (tile - overlap)-pixel square at the target resolution and reads it with \
            overlap/2 pixels of margin on every side. Tiles whose own window holds less tissue than \
            --min-tissue are skipped. The model (--model, default the bundled one) supplies the target resolution \
            and tile size that are not given, as in `tessera run`.
            """)

    @Argument(help: "The slide file.")
    var slide: String

    /// The same options, defaults and model-derived values as `tessera run`, so both plan the same tiles.
    @OptionGroup var tiling: TilingOptions

    @Flag(help: "Print the plan as JSON, every kept tile included.")
    var json = false

    @Option(help: "Write a PNG of the thumbnail with the tissue tinted and the kept tiles outlined.")
    var preview: String?

    @Option(help: "Write the tissue mask as a gray PNG (255 tissue, 0 background; one pixel per --thumbnail-mpp).")
    var mask: String?

    func run() throws {
        do {
            var settings = RunSettings()
            tiling.apply(to: &settings)
            let modelURL = try settings.modelPath.map { URL(fileURLWithPath: $0) } ?? DefaultModel.url(override: RunProcess.defaultModelOverride)
            let resolved = try settings.resolve(model: SegmentationModel.load(contentsOf: modelURL).identity)
            let mpp = resolved.targetMPP, tile = resolved.tileSize, overlap = resolved.overlap
            let minTissue = resolved.tissue.minimumTissueFraction
            let slide = try Slide(contentsOf: URL(fileURLWithPath: self.slide))
            let resolution = try slide.resolution(userStatedMPP: resolved.slideMPP, overrideMPP: resolved.overrideSlideMPP)
            let (plan, tissueMask) = try TilePlan.plan(slide: slide, resolution: resolution, targetMPP: mpp,
                                                       tileSize: tile, overlap: overlap, tissue: resolved.tissue)
            if let preview {
                let image = try PlanPreview.render(slide: slide, plan: plan, mask: tissueMask)
                try PNGImage.write(rgb: image, to: URL(fileURLWithPath: preview))
            }
            if let mask {
                try PNGImage.write(gray: tissueMask.mask, width: tissueMask.width, height: tissueMask.height,
                                   to: URL(fileURLWithPath: mask))
            }
            let edgeCount = plan.tiles.filter(\.isEdge).count
            if json {
                let report = PlanReport(slide: slide.url.path, resolution: resolution,
                                        slideTissueFraction: tissueMask.slideTissueFraction, edgeTiles: edgeCount,
                                        plan: plan)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(slide.url.path)
                print("  slide: \(slide.width) x \(slide.height) px at \(resolution.summary)")
                if resolution.source == .objectivePower {
                    SlideCommandOutput.printError("warning: \(slide.name): resolution estimated from the objective "
                        + "power; state it with --slide-mpp")
                }
                print(String(format: "  target: %g µm/px, tile %d, overlap %d (stride %d; %.4g level-0 px per target px)",
                             mpp, tile, overlap, plan.stride, plan.grid.level0PerTargetPixel))
                print("  grid: \(plan.columns) x \(plan.rows) = \(plan.grid.tileCount) tiles")
                print("  tiles: \(plan.tiles.count) kept (\(edgeCount) at the edge), \(plan.skippedCount) skipped "
                    + String(format: "(own-window tissue < %g)", minTissue))
                print(String(format: "  tissue: %.1f%% of the slide", tissueMask.slideTissueFraction * 100))
                if let preview { print("  preview: \(preview)") }
                if let mask { print("  tissue mask: \(mask) (\(tissueMask.width) x \(tissueMask.height))") }
            }
        } catch let error as RunError {
            throw ValidationError("\(error)")
        } catch let error as ExitCode {
            throw error
        } catch {
            SlideCommandOutput.printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}

/// `tessera plan --json`.
struct PlanReport: Encodable {
    let slide: String
    let resolution: SlideResolution
    let slideTissueFraction: Double
    let edgeTiles: Int
    let plan: TilePlan
}
