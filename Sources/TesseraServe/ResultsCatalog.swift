import Foundation
import GRDB
import Synchronization
import TesseraCore
import TesseraStore

/// A run, for the index page.
public struct RunListing: Sendable, Equatable {
    public var id: Int64
    public var runUID: String
    public var status: String
    public var modelName: String
    public var pipelineName: String?
    public var startedAt: String
    public var finishedAt: String?
    public var classes: [ClassInfo]
    public var slides: [SlideListing]
}

/// A slide in a run, for the index page: the `slide_areas` and `slide_class_areas` views.
public struct SlideListing: Sendable, Equatable {
    public struct ClassArea: Sendable, Equatable {
        public var classIndex: Int
        /// The class's area over the analysed tiles, and its area inside the tissue with its share of the tissue
        /// (the `slide_class_areas` view; nil in rows written before schema v5).
        public var mm2: Double?
        public var tissueMM2: Double?
        public var fractionOfTissue: Double?
    }

    /// The slide run's id: what the viewer's URLs address.
    public var id: Int64
    public var slidePath: String
    public var status: String
    public var error: String?
    public var tilesWritten: Int
    public var tilesPlanned: Int?
    public var tissueMM2: Double?
    public var analysedMM2: Double?
    public var classAreas: [ClassArea]
    /// Why the slide's numbers need a person's eye (`review_flags`); empty when they do not.
    public var review: [ReviewFlag] = []
    /// False once other content was found at the slide's path (superseded).
    public var isCurrent: Bool = true
    /// Nuclei in the tissue and per mm² of it (`slide_nuclei`); nil when the run counted none.
    public var nuclei: Int? = nil
    public var nucleiPerMM2: Double? = nil
    /// The slide QC's verdict and artefact areas (`slide_qc`); nil when the run did no QC.
    public var qc: SlideQCRecord? = nil

    public var name: String { URL(fileURLWithPath: slidePath).lastPathComponent }
}

/// One slide run, for its viewer.
public struct SlideRunDetail: Sendable, Equatable {
    public var id: Int64
    public var runID: Int64
    public var runUID: String
    public var slidePath: String
    public var status: String
    public var error: String?
    /// Level-0 size as recorded when the slide was first seen.
    public var width: Int
    public var height: Int
    /// The resolution the run used (µm per level-0 pixel); nil when the slide could not be read.
    public var mppX: Double?
    public var mppY: Double?
    public var classes: [ClassInfo]
    /// The slide's content fingerprint when the run read it: the viewer overlays the run's files only while the
    /// file at `slidePath` still has it.
    public var fingerprint: String
    /// False when the file at the path was later found with other content (superseded).
    public var isCurrent: Bool
    /// The files the results file records for this slide run (heatmaps, GeoJSON), removed ones left out.
    public var artefacts: [Artefact]
    /// Why the slide's numbers need a person's eye, and where its resolution came from.
    public var review: [ReviewFlag] = []
    public var mppSource: String? = nil
    /// Whether the run counted nuclei (its nuclei can be drawn).
    public var countsNuclei = false

    public var name: String { URL(fileURLWithPath: slidePath).lastPathComponent }
}

/// The nuclei of a part of a slide run, for the viewer's outlines.
public struct NucleiInRegion: Sendable {
    public var nuclei: [Nucleus]
    /// All nuclei in the region; more than `nuclei.count` when the answer was cut at its limit.
    public var total: Int
}

/// The results-file row of the tile whose own window holds a point, with its predictions.
public struct TileAtPoint: Sendable, Equatable, Codable {
    public struct Prediction: Sendable, Equatable, Codable {
        public var classIndex: Int
        public var className: String
        public var colour: String
        public var areaFraction: Double
        public var meanProbability: Double
    }

    public var tileIndex: Int
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public var tissueFraction: Double
    public var predictions: [Prediction]
}

/// Read-only access to a results file for the viewer. The file is opened read-only (`ReadOnlyResultsFile`: also on
/// read-only storage); every call is one read transaction, so a run writing into the file at the same time (WAL)
/// is neither blocked nor seen half-written.
public final class ResultsCatalog: Sendable {
    public let path: String
    /// The open file and the identity (device, inode) of the file it opened: a results file replaced at `path` (a
    /// merge written anew, a copy put back) is noticed at the next read and opened again, without a restart.
    private let connection: Mutex<(queue: DatabaseQueue, identity: FileIdentity?)>

    /// Opens `path` read-only and checks that it is a Tessera results file this build understands.
    public init(path: String) throws {
        self.path = path
        let identity = FileIdentity(path: path)
        connection = Mutex((try ReadOnlyResultsFile(path: path).open(checkingSchema: true), identity))
    }

    /// The connection to the file now at `path`.
    private func currentQueue() throws -> DatabaseQueue {
        let now = FileIdentity(path: path)
        let (queue, identity) = connection.withLock { ($0.queue, $0.identity) }
        if now == nil || now == identity { return queue }
        let reopened = try ReadOnlyResultsFile(path: path).open(checkingSchema: true)
        connection.withLock { $0 = (reopened, now) }
        return reopened
    }

    /// Every run, newest first, with its classes and its slides (in path order) and their areas.
    public func runs() throws -> [RunListing] {
        try read("listing runs and slides") { db in
            let classes = try Self.classesByRun(db)
            var areas: [Int64: [SlideListing.ClassArea]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT slide_run_id, class_index, class_mm2, class_tissue_mm2, fraction_of_tissue FROM slide_class_areas
                ORDER BY slide_run_id, class_index
                """) {
                areas[row["slide_run_id"], default: []].append(SlideListing.ClassArea(
                    classIndex: row["class_index"], mm2: row["class_mm2"], tissueMM2: row["class_tissue_mm2"],
                    fractionOfTissue: row["fraction_of_tissue"]))
            }
            var nuclei: [Int64: (Int, Double?)] = [:]
            if try db.tableExists("nuclei") {
                for row in try Row.fetchAll(db, sql: "SELECT slide_run_id, nuclei, nuclei_per_mm2_tissue FROM slide_nuclei") {
                    nuclei[row["slide_run_id"]] = (row["nuclei"], row["nuclei_per_mm2_tissue"])
                }
            }
            var slides: [Int64: [SlideListing]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT sr.id, sr.run_id, sr.slide_path, sr.status, sr.error, sr.tiles_planned, sr.tiles_written,
                       a.tissue_mm2, a.analysed_mm2, a.is_current
                FROM slide_runs sr JOIN slide_areas a ON a.slide_run_id = sr.id
                ORDER BY sr.run_id, sr.slide_path
                """) {
                let id: Int64 = row["id"]
                var listing = SlideListing(
                    id: id, slidePath: row["slide_path"], status: row["status"], error: row["error"],
                    tilesWritten: row["tiles_written"], tilesPlanned: row["tiles_planned"],
                    tissueMM2: row["tissue_mm2"], analysedMM2: row["analysed_mm2"], classAreas: areas[id] ?? [])
                listing.review = try ResultsStore.reviewFlags(db, slideRun: id)
                listing.qc = try ResultsStore.qcRecord(db, slideRun: id)
                listing.isCurrent = row["is_current"]
                if let counted = nuclei[id] { (listing.nuclei, listing.nucleiPerMM2) = (counted.0, counted.1) }
                slides[row["run_id"], default: []].append(listing)
            }
            return try Row.fetchAll(db, sql: """
                SELECT id, run_uid, status, model_name, pipeline_name, started_at, finished_at FROM runs
                ORDER BY started_at DESC, id DESC
                """).map { row in
                let id: Int64 = row["id"]
                return RunListing(id: id, runUID: row["run_uid"], status: row["status"], modelName: row["model_name"],
                                  pipelineName: row["pipeline_name"], startedAt: row["started_at"],
                                  finishedAt: row["finished_at"], classes: classes[id] ?? [], slides: slides[id] ?? [])
            }
        }
    }

    /// The slide run `id`, or nil when the results file has none.
    public func slideRun(id: Int64) throws -> SlideRunDetail? {
        try read("reading slide run \(id)") { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT sr.id, sr.run_id, r.run_uid, sr.slide_path, sr.status, sr.error, sr.mpp_x, sr.mpp_y,
                       sr.mpp_source, s.width, s.height, s.fingerprint, sr.superseded_at IS NULL AS is_current
                FROM slide_runs sr JOIN slides s ON s.id = sr.slide_id JOIN runs r ON r.id = sr.run_id
                WHERE sr.id = ?
                """, arguments: [id]) else { return nil }
            let runID: Int64 = row["run_id"]
            let artefacts = try ResultsStore.recordedArtefacts(db, slideRun: id).filter { $0.removedAt == nil }
            var detail = SlideRunDetail(id: row["id"], runID: runID, runUID: row["run_uid"], slidePath: row["slide_path"],
                                        status: row["status"], error: row["error"], width: row["width"],
                                        height: row["height"], mppX: row["mpp_x"], mppY: row["mpp_y"],
                                        classes: try Self.classesByRun(db, run: runID)[runID] ?? [],
                                        fingerprint: row["fingerprint"], isCurrent: row["is_current"], artefacts: artefacts)
            detail.review = try ResultsStore.reviewFlags(db, slideRun: id)
            detail.mppSource = row["mpp_source"]
            detail.countsNuclei = try db.columns(in: "runs").contains { $0.name == "nucleus_class_index" }
                && (try Int.fetchOne(db, sql: "SELECT nucleus_class_index FROM runs WHERE id = ?", arguments: [runID])) != nil
            return detail
        }
    }

    /// The nuclei of slide run `slideRun` whose centroids lie in the level-0 rectangle `region`, at most `limit` of
    /// them (the index's tile rows narrow the search to the tiles that meet the region).
    public func nuclei(slideRun: Int64, in region: PixelRect, limit: Int) throws -> NucleiInRegion {
        try read("reading the nuclei of slide run \(slideRun)") { db in
            guard try db.tableExists("nuclei") else { return NucleiInRegion(nuclei: [], total: 0) }
            let arguments: StatementArguments = ["slideRun": slideRun, "x0": region.x, "y0": region.y,
                                                 "x1": region.maxX, "y1": region.maxY, "limit": limit]
            let matching = """
                FROM nuclei n JOIN tiles t ON t.slide_run_id = n.slide_run_id AND t.tile_index = n.tile_index
                WHERE n.slide_run_id = :slideRun AND t.x < :x1 AND t.x + t.width > :x0 AND t.y < :y1 AND t.y + t.height > :y0
                  AND n.x >= :x0 AND n.x < :x1 AND n.y >= :y0 AND n.y < :y1
                """
            let nuclei = try Row.fetchAll(db, sql: """
                SELECT n.x, n.y, n.area_um2, n.perimeter_um, n.diameter_um, n.eccentricity, n.solidity, n.haematoxylin_od,
                       n.mean_probability, n.region_class_index, n.in_tissue, n.outline
                \(matching) ORDER BY n.tile_index, n.nucleus_index LIMIT :limit
                """, arguments: arguments).map(ResultsReader.nucleus)
            // Counted again only when the answer was cut at the limit (a view zoomed in holds far fewer).
            let total = nuclei.count < limit ? nuclei.count
                : try Int.fetchOne(db, sql: "SELECT COUNT(*) \(matching)", arguments: arguments) ?? nuclei.count
            return NucleiInRegion(nuclei: nuclei, total: total)
        }
    }

    /// The slide run's nuclei density grid (`slide_nuclei_density`); nil where it has none.
    public func nucleusDensity(slideRun: Int64) throws -> NucleusDensityGrid? {
        try read("reading the nuclei density of slide run \(slideRun)") { db in
            try ResultsStore.nucleusDensityGrid(db, slideRun: slideRun)
        }
    }

    /// The tile of slide run `slideRun` whose own window holds level-0 point (`x`, `y`), or nil when none does
    /// (outside the tissue, or not analysed).
    public func tile(slideRun: Int64, x: Int, y: Int) throws -> TileAtPoint? {
        try read("finding the tile at (\(x), \(y)) of slide run \(slideRun)") { db in
            guard let tile = try Row.fetchOne(db, sql: """
                SELECT t.tile_index, t.x, t.y, t.width, t.height, t.tissue_fraction, sr.run_id
                FROM tiles t JOIN slide_runs sr ON sr.id = t.slide_run_id
                WHERE t.slide_run_id = :slideRun AND t.x <= :x AND :x < t.x + t.width AND t.y <= :y AND :y < t.y + t.height
                LIMIT 1
                """, arguments: ["slideRun": slideRun, "x": x, "y": y]) else { return nil }
            let index: Int = tile["tile_index"]
            let predictions = try Row.fetchAll(db, sql: """
                SELECT p.class_index, c.name, c.colour, p.area_fraction, p.mean_probability
                FROM tile_predictions p JOIN classes c ON c.run_id = :run AND c.class_index = p.class_index
                WHERE p.slide_run_id = :slideRun AND p.tile_index = :tile ORDER BY p.class_index
                """, arguments: ["run": tile["run_id"] as Int64, "slideRun": slideRun, "tile": index]).map { row in
                TileAtPoint.Prediction(classIndex: row["class_index"], className: row["name"], colour: row["colour"],
                                       areaFraction: row["area_fraction"], meanProbability: row["mean_probability"])
            }
            return TileAtPoint(tileIndex: index, x: tile["x"], y: tile["y"], width: tile["width"],
                               height: tile["height"], tissueFraction: tile["tissue_fraction"],
                               predictions: predictions)
        }
    }

    private static func classesByRun(_ db: Database, run: Int64? = nil) throws -> [Int64: [ClassInfo]] {
        var classes: [Int64: [ClassInfo]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT run_id, class_index, name, colour FROM classes WHERE :run IS NULL OR run_id = :run
            ORDER BY run_id, class_index
            """, arguments: ["run": run]) {
            classes[row["run_id"], default: []].append(
                ClassInfo(index: row["class_index"], name: row["name"], colour: row["colour"]))
        }
        return classes
    }

    /// The one place SQLite errors become `StoreError`s naming the file and what was being read.
    private func read<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try currentQueue().read(body)
        } catch let error as DatabaseError {
            throw StoreError(.sqlite, "SQLite error \(error.extendedResultCode.rawValue) while \(what): "
                             + (error.message ?? "\(error)"), path: path, sqliteCode: error.extendedResultCode.rawValue)
        }
    }
}

/// A file's device and inode: what changes when a file is replaced by another at the same path.
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}
