import Foundation
import Testing
import TesseraCore
import TesseraSlide
import TesseraTestSupport
@testable import TesseraQC

/// The standard checks on the artefact set made from real tissue (fixtures/qc-artefacts, made by
/// tools/qc/make_artefact_set.py with seed 26 from CMU-1-Small-Region.svs at 2 µm/px and OS-1-detail.tiff at 1 µm/px):
/// the IoU of each kind's mask with the known mask, and the share of the clean slides' tissue each kind flags.
///
/// With TESSERA_QC_PREDICTIONS set to a directory, the masks are written there as
/// <slide>/<variant>.<kind>.png for tools/qc/evaluate_masks.py, which scores them independently.
@Suite struct ArtefactSetTests {
    /// TESSERA_QC_SET points the test at another set made by the same tool (another seed, for numbers on a set the
    /// parameters were not chosen on).
    static let directory = ProcessInfo.processInfo.environment["TESSERA_QC_SET"].map { URL(fileURLWithPath: $0) }
        ?? Fixtures.directory.appendingPathComponent("qc-artefacts")
    static let slides = ["CMU-1-Small-Region", "OS-1-detail"]
    static let variants: [(name: String, kind: ArtefactKind)] = [("pen", .pen), ("blur", .blur), ("fold", .fold),
                                                                  ("bubble", .bubbleEdge)]

    struct Manifest: Decodable {
        struct Slide: Decodable { var qc_mpp: Double }
        var seed: Int
        var slides: [String: Slide]
    }

    static func mask(_ url: URL) throws -> QCMask {
        let png = try PNGImage.read(from: url)
        let gray = stride(from: 0, to: png.pixels.count, by: png.channels).map { png.pixels[$0] }
        return QCMask(width: png.width, height: png.height, gray: gray)
    }

    struct Scores { var iou: Double; var iouNew: Double; var falsePositive: Double }

    /// Per slide and kind: the IoU on the artefact's image, the IoU leaving out what the kind flags on the clean
    /// image (the real slide's own artefacts: not in the known mask), and the share of clean tissue flagged.
    /// `runTissue`: each image's tissue found by `TissueMask.detect` (Otsu on saturation, as a run finds it) instead
    /// of the set's tissue.png; the known masks and the denominators of false positives stay the set's.
    static func score(slide: String, runTissue: Bool = false) throws -> [ArtefactKind: Scores] {
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        let mpp = try #require(manifest.slides[slide]).qc_mpp
        let folder = directory.appendingPathComponent(slide)
        let tissue = try mask(folder.appendingPathComponent("tissue.png"))
        let output = ProcessInfo.processInfo.environment["TESSERA_QC_PREDICTIONS"].map {
            URL(fileURLWithPath: $0).appendingPathComponent(slide)
        }
        if let output, !runTissue { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) }
        func run(_ variant: String) throws -> [ArtefactKind: QCMask] {
            let image = try PNGImage.readRGB(from: folder.appendingPathComponent("\(variant).png"))
            let used = runTissue ? runTissueMask(image, micronsPerPixel: mpp) : tissue
            if runTissue && variant == "clean" {
                print(String(format: "artefact set %@: the run's tissue mask covers %.1f%% of the image, the set's %.1f%% (%.1f%% of it)",
                             slide, Double(used.count) / Double(used.pixels.count) * 100,
                             Double(tissue.count) / Double(tissue.pixels.count) * 100,
                             Double(used.intersectionCount(tissue)) / Double(tissue.count) * 100))
            }
            let (results, _) = QualityChecks.run(on: QCInput(image: image, tissue: used, micronsPerPixel: mpp))
            var masks: [ArtefactKind: QCMask] = [:]
            for result in results {
                masks[result.kind] = result.mask
                if let output, !runTissue {
                    try PNGImage.write(gray: result.mask.gray, width: result.mask.width, height: result.mask.height,
                                       to: output.appendingPathComponent("\(variant).\(result.kind.rawValue).png"))
                }
            }
            return masks
        }
        let clean = try run("clean")
        var scores: [ArtefactKind: Scores] = [:]
        for (variant, kind) in variants {
            let known = try mask(folder.appendingPathComponent("\(variant).mask.png"))
            let found = try #require(try run(variant)[kind])
            let onClean = try #require(clean[kind])
            var keep = QCMask(width: known.width, height: known.height, filledWith: true)
            for i in keep.pixels.indices where onClean.pixels[i] { keep.pixels[i] = false }
            scores[kind] = Scores(iou: found.intersectionOverUnion(known),
                                  iouNew: found.intersection(keep).intersectionOverUnion(known.intersection(keep)),
                                  falsePositive: Double(onClean.intersectionCount(tissue)) / Double(tissue.count))
        }
        for (kind, s) in scores.sorted(by: { $0.key < $1.key }) {
            print(String(format: "artefact set %@%@ %@: IoU %.3f, IoU (new only) %.3f, clean tissue flagged %.2f%%",
                         slide, runTissue ? " (run's tissue mask)" : "", kind.rawValue, s.iou, s.iouNew, s.falsePositive * 100))
        }
        return scores
    }

    static func runTissueMask(_ image: RGBImage, micronsPerPixel mpp: Double) -> QCMask {
        let mask = TissueMask.detect(thumbnail: image, level0PerPixel: 1, micronsPerPixel: mpp, slideWidth: image.width,
                                     slideHeight: image.height, parameters: TissueSettings())
        return QCMask(width: mask.width, height: mask.height, gray: mask.mask)
    }

    /// The lowest IoU each kind must keep on each slide of the committed set (seed 26). Issue 26's goal is 0.7 for
    /// pen, blur and folds; where a check does not reach it here the floor is what it does reach, a little under,
    /// so that a change that loses accuracy fails (docs: /work/notes/qc.md and the checks' own documentation):
    /// OS-1-detail's blur (its two blurred regions, 60-90 µm across, are hardly larger than the 25 px focus window).
    /// Fold, with its reference density per stain mixture: 0.851 on CMU-1 and 0.904 on OS-1-detail here, no clean
    /// tissue flagged (it was 0.667 and 0.866 with 1.7% of CMU-1's clean tissue against the slide's medians).
    /// Bubble edges are found over glass only: OS-1-detail is almost all tissue, so its ring is not found.
    static let floors: [String: [ArtefactKind: Double]] = [
        "CMU-1-Small-Region": [.pen: 0.85, .blur: 0.75, .fold: 0.8, .bubbleEdge: 0.35],
        "OS-1-detail": [.pen: 0.9, .blur: 0.62, .fold: 0.85, .bubbleEdge: 0],
    ]

    @Test(arguments: slides)
    func checksOnRealTissue(slide: String) throws {
        let scores = try Self.score(slide: slide)
        for (kind, floor) in try #require(Self.floors[slide]) {
            let s = try #require(scores[kind])
            #expect(s.iouNew >= floor, "\(slide) \(kind): IoU \(s.iouNew), at least \(floor) expected")
        }
        // Issue 26's goal: at most 2% of clean tissue flagged, for every kind.
        for (kind, s) in scores {
            #expect(s.falsePositive <= 0.02, "\(slide) \(kind): \(s.falsePositive * 100)% of clean tissue flagged")
        }
    }
}

extension ArtefactSetTests {
    /// With the tissue a run would find (`TissueMask.detect` on each image: Otsu on saturation) rather than the
    /// set's: on CMU-1, whose image has glass as a slide's thumbnail does, the checks must still flag at most 2% of
    /// clean tissue and keep their IoU (fold: 0.711 here, against 0.851 with the set's mask, as the references move).
    /// Not on OS-1-detail: a crop that is all tissue, where Otsu splits the tissue itself (the run's mask covers 25%
    /// of it), so a QC stage must take the tissue mask of the whole slide's thumbnail, not of a tissue-only tile.
    @Test func checksWithTheRunsTissueMask() throws {
        let slide = "CMU-1-Small-Region"
        let scores = try Self.score(slide: slide, runTissue: true)
        let floors: [ArtefactKind: Double] = [.pen: 0.85, .blur: 0.75, .fold: 0.66, .bubbleEdge: 0.35]
        for (kind, floor) in floors {
            let s = try #require(scores[kind])
            #expect(s.iouNew >= floor, "\(slide) \(kind): IoU \(s.iouNew) with the run's tissue mask")
        }
        for (kind, s) in scores {
            #expect(s.falsePositive <= 0.02, "\(slide) \(kind): \(s.falsePositive * 100)% of clean tissue flagged")
        }
    }
}

extension ArtefactSetTests {
    /// Speed beside HistoQC's rules (tools/qc/time_histoqc_rules.py times those on the same ten images): the four
    /// standard checks, and blur and fold alone (what HistoQC's blur and dark-tissue rules stand for), on every
    /// image of the set, decoding excluded; the best of three passes. Prints; asserts only that the checks ran.
    @Test func timesTheChecksOnTheSet() throws {
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: Self.directory.appendingPathComponent("manifest.json")))
        var inputs: [QCInput] = []
        for slide in Self.slides {
            let folder = Self.directory.appendingPathComponent(slide)
            let tissue = try Self.mask(folder.appendingPathComponent("tissue.png"))
            let mpp = try #require(manifest.slides[slide]).qc_mpp
            for variant in ["clean", "pen", "blur", "fold", "bubble"] {
                let image = try PNGImage.readRGB(from: folder.appendingPathComponent("\(variant).png"))
                inputs.append(QCInput(image: image, tissue: tissue, micronsPerPixel: mpp))
            }
        }
        let pixels = inputs.reduce(0) { $0 + $1.image.width * $1.image.height }
        func best(_ checks: [any QualityCheck]) -> Double {
            (0..<3).map { _ in
                let started = ContinuousClock.now
                for input in inputs { _ = QualityChecks.run(checks, on: input) }
                let elapsed = ContinuousClock.now - started
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            }.min()!
        }
        let all = best(QualityChecks.standard), blurAndFold = best([BlurCheck(), FoldCheck()])
        let each = QualityChecks.standard.map { check in "\(check.kind) \(String(format: "%.2f", best([check]))) s" }
        print(String(format: "QC speed on the artefact set (%d images, %.1f M pixels): four checks %.2f s, "
                     + "blur and fold %.2f s; ", inputs.count, Double(pixels) / 1e6, all, blurAndFold)
              + each.joined(separator: ", "))
        #expect(inputs.count == 10 && all > 0)
    }
}
