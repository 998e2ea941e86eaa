import Foundation
import GRDB

/// The tissue of one cell of a slide run's nuclei density grid, as the pipeline measured it on the tissue mask.
public struct DensityCellTissue: Sendable, Equatable {
    public var cellX: Int
    public var cellY: Int
    public var tissueMicrons2: Double

    public init(cellX: Int, cellY: Int, tissueMicrons2: Double) {
        self.cellX = cellX; self.cellY = cellY; self.tissueMicrons2 = tissueMicrons2
    }
}

/// A slide run's nuclei density grid as the results file gives it (`slide_nuclei_density`, schema v9).
public struct NucleusDensityGrid: Sendable, Equatable, Codable {
    public struct Cell: Sendable, Equatable, Codable {
        public var cellX: Int
        public var cellY: Int
        public var nuclei: Int
        public var tissueMM2: Double
        /// Tissue area over the cell's area.
        public var tissueFraction: Double
        /// Nuclei per mm² of the cell's tissue; nil where tissue covers under a quarter of the cell.
        public var nucleiPerMM2Tissue: Double?
    }

    /// The cells' side, µm (along x).
    public var cellMicrons: Double
    /// The cells' side in level-0 pixels.
    public var cellLevel0Pixels: Double
    /// Only the cells with tissue or nuclei, by row then column.
    public var cells: [Cell]

    /// Columns and rows that cover a slide of `width` x `height` level-0 pixels.
    public func size(slideWidth: Int, slideHeight: Int) -> (columns: Int, rows: Int) {
        (max(1, Int((Double(slideWidth) / cellLevel0Pixels).rounded(.up))),
         max(1, Int((Double(slideHeight) / cellLevel0Pixels).rounded(.up))))
    }
}

extension ResultsStore {
    /// Replaces the slide run's density grid (a resumed slide run writes it again) in one transaction: the cells'
    /// tissue as given, and the nuclei counted from the slide run's committed `nuclei` rows in the tissue, each in
    /// the cell its centroid lies in (cell = floor(x / d), floor(y / d), d = `cellMicrons` / mpp_x level-0 pixels).
    /// Call it once the slide run's last tile is committed.
    public func recordNucleusDensity(cellMicrons: Double, tissue: [DensityCellTissue], slideRun: SlideRunID) throws {
        try StoreError.mapping(path: path, "recording the nuclei density of slide run \(slideRun.rawValue)") {
            try queue.write { db in
                let id = slideRun.rawValue
                try db.execute(sql: "DELETE FROM nuclei_density WHERE slide_run_id = ?", arguments: [id])
                try db.execute(sql: "UPDATE slide_runs SET nuclei_density_cell_um = ? WHERE id = ?",
                               arguments: [cellMicrons, id])
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO nuclei_density (slide_run_id, cell_x, cell_y, nuclei, tissue_um2) VALUES (?, ?, ?, 0, ?)
                    """)
                for cell in tissue where cell.tissueMicrons2 > 0 {
                    try insert.execute(arguments: [id, cell.cellX, cell.cellY, cell.tissueMicrons2])
                }
                // The cell size in level-0 pixels comes from the slide run's own resolution, the one the view uses.
                try db.execute(sql: """
                    INSERT INTO nuclei_density (slide_run_id, cell_x, cell_y, nuclei, tissue_um2)
                    SELECT n.slide_run_id, CAST(n.x / (? / sr.mpp_x) AS INTEGER), CAST(n.y / (? / sr.mpp_x) AS INTEGER),
                           COUNT(*), 0
                    FROM nuclei n JOIN slide_runs sr ON sr.id = n.slide_run_id
                    WHERE n.slide_run_id = ? AND n.in_tissue = 1 AND sr.mpp_x > 0
                    GROUP BY 2, 3
                    ON CONFLICT (slide_run_id, cell_x, cell_y) DO UPDATE SET nuclei = excluded.nuclei
                    """, arguments: [cellMicrons, cellMicrons, id])
            }
        }
    }

    /// On an open connection: the slide run's density grid; nil where it has none (no nuclei counted, or a file
    /// from before schema v9). For readers.
    public static func nucleusDensityGrid(_ db: Database, slideRun: Int64) throws -> NucleusDensityGrid? {
        guard try db.tableExists("nuclei_density"),
              let row = try Row.fetchOne(db, sql: """
                SELECT nuclei_density_cell_um, nuclei_density_cell_um / mpp_x FROM slide_runs
                WHERE id = ? AND nuclei_density_cell_um IS NOT NULL AND mpp_x > 0
                """, arguments: [slideRun]) else { return nil }
        let cells = try Row.fetchAll(db, sql: """
            SELECT cell_x, cell_y, nuclei, tissue_mm2, tissue_fraction, nuclei_per_mm2_tissue
            FROM slide_nuclei_density WHERE slide_run_id = ? ORDER BY cell_y, cell_x
            """, arguments: [slideRun]).map {
            NucleusDensityGrid.Cell(cellX: $0[0], cellY: $0[1], nuclei: $0[2], tissueMM2: $0[3], tissueFraction: $0[4],
                                    nucleiPerMM2Tissue: $0[5])
        }
        return NucleusDensityGrid(cellMicrons: row[0], cellLevel0Pixels: row[1], cells: cells)
    }

    /// The slide run's density grid; nil where it has none.
    public func nucleusDensityGrid(slideRun: SlideRunID) throws -> NucleusDensityGrid? {
        try StoreError.mapping(path: path, "reading the nuclei density of slide run \(slideRun.rawValue)") {
            try queue.read { db in try Self.nucleusDensityGrid(db, slideRun: slideRun.rawValue) }
        }
    }
}
