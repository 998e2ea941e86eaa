import Foundation
import GRDB
import TesseraCore

/// One slide in one run, as an export needs it: where the slide is, its size and the resolution the run used, the
/// run's classes and its parameters.
public struct StoredSlideRun: Sendable, Equatable {
    public var slideRunID: SlideRunID
    public var runUID: String
    public var runStartedAt: String
    public var fingerprint: String
    /// The path the run read the slide from.
    public var slidePath: String
    /// Level-0 size.
    public var slideWidth: Int
    public var slideHeight: Int
    /// µm per level-0 pixel used by the run; nil when the slide could not be read.
    public var mppX: Double?
    public var mppY: Double?
    public var status: String
    public var classes: [ClassInfo]
    /// The run's parameters as stored (`runs.parameters_json`).
    public var parametersJSON: String
    /// The SHA-256 of the model that produced the numbers: the int8 model's for a quantised run, else the model file's.
    public var modelSHA256: String = ""
    /// False when the file at `slidePath` was later found with other content (`slide_runs.superseded_at`).
    public var isCurrent: Bool = true
    /// The class the run segmented into nuclei; nil when it counted none (or was written before nuclei existed).
    public var nucleusClassIndex: Int? = nil

    /// The slide's file name ("CMU-1.svs"): the stem of the heatmap and GeoJSON file names.
    public var slideFileName: String { URL(fileURLWithPath: slidePath).lastPathComponent }
}

/// One tile with its per-class predictions, in class-index order.
public struct StoredTile: Sendable, Equatable {
    public var index: Int
    public var ownWindow: PixelRect
    public var tissueFraction: Double
    public var classes: [ClassPrediction]
}

/// Read-only access to a results file for exports: slide runs and, streamed, their tiles.
///
/// Blocking (SQLite): call it from a thread of its own, not from the cooperative pool.
public final class ResultsReader: Sendable {
    public let path: String
    private let queue: DatabaseQueue

    public init(path: String) throws {
        self.path = path
        queue = try Self.openReadOnly(path)
        try StoreError.mapping(path: path, "reading the schema") {
            try queue.read { db in
                guard try db.tableExists("slide_runs"), try db.tableExists("classes") else {
                    throw StoreError(.incompatibleSchema, "the file is not a Tessera results file (no slide_runs table)",
                                     path: path)
                }
            }
        }
    }

    /// Opens a results file read-only, with errors that name it, on read-only storage too (shared with
    /// `ResultsQuery`; see `ReadOnlyResultsFile`).
    static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        try ReadOnlyResultsFile(path: path).open(checkingSchema: false)
    }

    /// One slide run, whatever its status; nil when the file has no such slide run.
    public func slideRun(_ id: SlideRunID) throws -> StoredSlideRun? {
        try slideRuns(only: id).first
    }

    /// Every slide run in the file (or only `only`), oldest run first.
    public func slideRuns(only: SlideRunID? = nil) throws -> [StoredSlideRun] {
        try StoreError.mapping(path: path, "reading slide runs") {
            try queue.read { db in
                var classesByRun: [Int64: [ClassInfo]] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT run_id, class_index, name, colour FROM classes ORDER BY run_id, class_index") {
                    classesByRun[row["run_id"], default: []].append(
                        ClassInfo(index: row["class_index"], name: row["name"], colour: row["colour"]))
                }
                // Files written before nuclei (v7) have no nucleus class column: they counted none.
                let nucleusClass = try db.columns(in: "runs").contains { $0.name == "nucleus_class_index" }
                    ? "r.nucleus_class_index" : "NULL"
                return try Row.fetchAll(db, sql: """
                    SELECT sr.id, sr.run_id, r.run_uid, r.started_at, r.parameters_json, s.fingerprint, sr.slide_path,
                           s.width, s.height, sr.mpp_x, sr.mpp_y, sr.status,
                           COALESCE(r.quantized_model_sha256, r.model_sha256) AS model_sha256,
                           sr.superseded_at IS NULL AS is_current, \(nucleusClass) AS nucleus_class_index
                    FROM slide_runs sr JOIN runs r ON r.id = sr.run_id JOIN slides s ON s.id = sr.slide_id
                    WHERE ? IS NULL OR sr.id = ?
                    ORDER BY r.started_at, r.id, sr.id
                    """, arguments: [only?.rawValue, only?.rawValue]).map { row in
                    StoredSlideRun(slideRunID: SlideRunID(rawValue: row["id"]), runUID: row["run_uid"],
                                   runStartedAt: row["started_at"], fingerprint: row["fingerprint"],
                                   slidePath: row["slide_path"], slideWidth: row["width"], slideHeight: row["height"],
                                   mppX: row["mpp_x"], mppY: row["mpp_y"], status: row["status"],
                                   classes: classesByRun[row["run_id"]] ?? [], parametersJSON: row["parameters_json"],
                                   modelSHA256: row["model_sha256"], isCurrent: row["is_current"],
                                   nucleusClassIndex: row["nucleus_class_index"])
                }
            }
        }
    }

    /// The files the results file records for a slide run (removed ones too); none in a file written before
    /// artefacts were recorded that no Tessera with them has opened for writing.
    public func artefacts(of slideRun: SlideRunID) throws -> [Artefact] {
        try StoreError.mapping(path: path, "reading the files of \(slideRun)") {
            try queue.read { db in
                guard try db.tableExists("artefacts") else { return [] }
                return try ResultsStore.artefacts(db, slideRun: slideRun.rawValue)
            }
        }
    }

    /// The stem a run named the slide's output files with (heatmaps, GeoJSON): see `OutputNames`.
    public func outputStem(for slideRun: StoredSlideRun) throws -> String {
        try StoreError.mapping(path: path, "looking up slides named \(slideRun.slideFileName)") {
            try queue.read { db in try OutputNames.stem(slidePath: slideRun.slidePath, in: db) }
        }
    }

    /// Calls `body` with each tile of a slide run in tile-index order, read through a cursor (never all at once).
    public func forEachTile(of slideRun: SlideRunID, classCount: Int, _ body: (StoredTile) throws -> Void) throws {
        try StoreError.mapping(path: path, "reading tiles") {
            try queue.read { db in
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT t.tile_index, t.x, t.y, t.width, t.height, t.tissue_fraction,
                           p.class_index, p.area_fraction, p.mean_probability
                    FROM tiles t JOIN tile_predictions p ON p.slide_run_id = t.slide_run_id AND p.tile_index = t.tile_index
                    WHERE t.slide_run_id = ? ORDER BY t.tile_index, p.class_index
                    """, arguments: [slideRun.rawValue])
                var current: StoredTile?
                while let row = try cursor.next() {
                    let index: Int = row["tile_index"]
                    if current?.index != index {
                        if let tile = current { try body(tile) }
                        current = StoredTile(index: index, ownWindow: PixelRect(x: row["x"], y: row["y"], width: row["width"],
                                                                               height: row["height"]),
                                             tissueFraction: row["tissue_fraction"],
                                             classes: Array(repeating: ClassPrediction(areaFraction: 0, meanProbability: 0),
                                                            count: classCount))
                    }
                    let classIndex: Int = row["class_index"]
                    if classIndex >= 0 && classIndex < classCount {
                        current!.classes[classIndex] = ClassPrediction(areaFraction: row["area_fraction"],
                                                                       meanProbability: row["mean_probability"])
                    }
                }
                if let tile = current { try body(tile) }
            }
        }
    }

    /// Each nucleus of a slide run with its tile's index, in tile order (streamed: a slide's million nuclei are never
    /// all in memory). None for a run that counted none.
    public func forEachNucleus(of slideRun: SlideRunID, _ body: (_ tileIndex: Int, Nucleus) throws -> Void) throws {
        try StoreError.mapping(path: path, "reading nuclei") {
            try queue.read { db in
                guard try db.tableExists("nuclei") else { return }
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT tile_index, x, y, area_um2, perimeter_um, diameter_um, eccentricity, solidity, haematoxylin_od,
                           mean_probability, region_class_index, in_tissue, outline
                    FROM nuclei WHERE slide_run_id = ? ORDER BY tile_index, nucleus_index
                    """, arguments: [slideRun.rawValue])
                while let row = try cursor.next() {
                    try body(row["tile_index"], Self.nucleus(row))
                }
            }
        }
    }

    /// A `nuclei` row as a `Nucleus` (the columns by name: x, y, area_um2, ..., outline).
    public static func nucleus(_ row: Row) -> Nucleus {
        let outline: Data = row["outline"] ?? Data()
        var nucleus = Nucleus(x: row["x"], y: row["y"], areaMicrons2: row["area_um2"], perimeterMicrons: row["perimeter_um"],
                              equivalentDiameterMicrons: row["diameter_um"], eccentricity: row["eccentricity"],
                              solidity: row["solidity"], meanHaematoxylinOD: row["haematoxylin_od"],
                              meanProbability: row["mean_probability"], regionClass: row["region_class_index"],
                              outline: Nucleus.outline(fromBytes: [UInt8](outline)))
        nucleus.inTissue = (row["in_tissue"] as Int) != 0
        return nucleus
    }

    /// Per class of a slide run: the class's area in level-0 pixels from the tiles (`slide_class_areas.class_px`).
    public func classAreas(of slideRun: SlideRunID) throws -> [Int: Double] {
        try StoreError.mapping(path: path, "reading class areas") {
            try queue.read { db in
                var areas: [Int: Double] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT class_index, class_px FROM slide_class_areas WHERE slide_run_id = ?",
                                            arguments: [slideRun.rawValue]) {
                    areas[row["class_index"]] = row["class_px"]
                }
                return areas
            }
        }
    }
}
