import Foundation
import TesseraCore
import TesseraStore

/// `tessera export nuclei`: every nucleus of the chosen slide runs as one CSV row, for a spreadsheet or R, streamed
/// from the results file into one file committed at the end (a failure leaves none).
public enum NucleusCSV {
    public static let columns = [
        "slide_path", "fingerprint", "run_uid", "slide_run_id", "tile_index", "x_px", "y_px", "x_um", "y_um",
        "area_um2", "perimeter_um", "diameter_um", "eccentricity", "solidity", "haematoxylin_od", "mean_probability",
        "region_class", "in_tissue",
    ]

    /// What was written: rows per slide run, in order.
    public struct Summary: Sendable, Equatable {
        public var path: String
        public var rows: [(slidePath: String, nuclei: Int)]
        public var bytes: Int

        public static func == (a: Summary, b: Summary) -> Bool {
            a.path == b.path && a.bytes == b.bytes && a.rows.map(\.slidePath) == b.rows.map(\.slidePath)
                && a.rows.map(\.nuclei) == b.rows.map(\.nuclei)
        }
    }

    /// Writes the nuclei of `slideRuns` (each must be of a run that counted nuclei) to `path`. Centroids in level-0
    /// pixels and in µm from the slide's top-left corner (the slide run's resolution).
    public static func write(_ slideRuns: [StoredSlideRun], from reader: ResultsReader, to path: String) throws -> Summary {
        let output = try AtomicOutputFile(path: path, gzip: path.hasSuffix(".gz"))
        try output.write(CSVText.record(columns))
        var summary = Summary(path: path, rows: [], bytes: 0)
        for slideRun in slideRuns {
            guard slideRun.nucleusClassIndex != nil else {
                throw ExportError(.invalidInput, "the run \(slideRun.runUID) did not count nuclei for this slide (its "
                                  + "model names no nucleus class, or it ran with --nuclei off)", path: slideRun.slidePath)
            }
            let names = Dictionary(uniqueKeysWithValues: slideRun.classes.map { ($0.index, $0.name) })
            let mppX = slideRun.mppX ?? .nan, mppY = slideRun.mppY ?? .nan
            let fixed = [slideRun.slidePath, slideRun.fingerprint, slideRun.runUID, String(slideRun.slideRunID.rawValue)]
            var count = 0
            try reader.forEachNucleus(of: slideRun.slideRunID) { tileIndex, nucleus in
                let numbers = [nucleus.x, nucleus.y, nucleus.x * mppX, nucleus.y * mppY, nucleus.areaMicrons2,
                               nucleus.perimeterMicrons, nucleus.equivalentDiameterMicrons, nucleus.eccentricity,
                               nucleus.solidity, nucleus.meanHaematoxylinOD, nucleus.meanProbability]
                try output.write(CSVText.record(fixed + [String(tileIndex)] + numbers.map { $0.isFinite ? JSONNumber.text($0) : "" }
                                                + [nucleus.regionClass.flatMap { names[$0] } ?? "", nucleus.inTissue ? "1" : "0"]))
                count += 1
            }
            summary.rows.append((slideRun.slidePath, count))
        }
        try output.commit()
        summary.bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return summary
    }
}
