import ArgumentParser
import Foundation
import TesseraCore
import TesseraSlide

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Detect tissue and plan overlapping tiles at a target resolution.",
        discussion: """
            Tile (column, row) owns a (tile - overlap)-pixel square at the target resolution and reads it with \
            overlap/2 pixels of margin on every side. Tiles whose own window holds less tissue than \
            --min-tissue are skipped.
            """)

    @Argument(help: "The slide file.")
    var slide: String

    @Option(help: "Target resolution in µm/px.")
    var mpp: Double = 0.5

    @Option(help: "Tile edge in pixels at the target resolution, margins included.")
    var tile: Int = 512

    @Option(help: "Pixels shared by neighbouring tiles at the target resolution (even).")
    var overlap: Int = 64

    @Option(help: "The slide's own resolution in µm/px, when the file states none (overrides the file).")
    var slideMPP: Double?

    @Option(help: "Minimum tissue fraction of a tile's own window (0...1).")
    var minTissue: Double = 0.05

    @Option(help: "Resolution of the tissue-detection thumbnail in µm/px.")
    var thumbnailMPP: Double = 8

    @Option(help: "Tissue regions smaller than this (mm²) are dropped.")
    var minRegionMM2: Double = 0.01

    @Flag(help: "Print the plan as JSON, every kept tile included.")
    var json = false

    @Option(help: "Write a PNG of the thumbnail with the tissue tinted and the kept tiles outlined.")
    var preview: String?

    @Option(help: "Write the tissue mask as a gray PNG (255 tissue, 0 background; one pixel per --thumbnail-mpp).")
    var mask: String?

    func validate() throws {
        guard mpp > 0 else { throw ValidationError("--mpp must be positive") }
        guard tile > 0 else { throw ValidationError("--tile must be positive") }
        guard overlap >= 0, overlap % 2 == 0, overlap < tile else {
            throw ValidationError("--overlap must be even, at least 0 and less than --tile")
        }
        guard (0...1).contains(minTissue) else { throw ValidationError("--min-tissue must be between 0 and 1") }
    }

    func run() throws {
        do {
            let slide = try Slide(contentsOf: URL(fileURLWithPath: self.slide))
            let resolution = try slide.resolution(userStatedMPP: slideMPP)
            let parameters = TissueDetectionParameters(thumbnailMPP: thumbnailMPP, minimumRegionAreaMM2: minRegionMM2)
            let (plan, tissueMask) = try TilePlan.plan(slide: slide, resolution: resolution, targetMPP: mpp, tileSize: tile,
                                                 overlap: overlap, tissue: parameters,
                                                 minimumTissueFraction: minTissue)
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
        } catch let error as SlideError {
            SlideCommandOutput.printError("error: \(error)")
            throw ExitCode(1)
        } catch let error as PNGError {
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
