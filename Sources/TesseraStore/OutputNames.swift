import Foundation
import GRDB
import TesseraCore

/// How a slide's output files are named, so that two slides with the same file name in different folders never
/// overwrite each other's: the first slide of a file name recorded in the results file keeps the plain name
/// (`CMU-1.svs.overlay.tif`); any later slide with that file name but another path gets the first 8 hex digits of
/// the SHA-256 of its full path after it (`CMU-1.svs.3fa2b1c0.overlay.tif`). The choice is the same on every run
/// into the same results file.
public enum OutputNames {
    public static func stem(slidePath: String, firstSlidePathWithItsName first: String?) -> String {
        let fileName = URL(fileURLWithPath: slidePath).lastPathComponent
        if first == nil || first == slidePath { return fileName }
        let digest = sha256Hex(Data(slidePath.utf8)).prefix(8)
        return fileName + "." + digest
    }

    /// The stem of `slidePath`'s output files in the results file `db` belongs to.
    public static func stem(slidePath: String, in db: Database) throws -> String {
        let fileName = URL(fileURLWithPath: slidePath).lastPathComponent
        return stem(slidePath: slidePath, firstSlidePathWithItsName: try firstSlidePath(db, withFileName: fileName))
    }

    /// The path of the first slide recorded (the lowest id) whose file name is `fileName`, whatever its folder.
    static func firstSlidePath(_ db: Database, withFileName fileName: String) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT path FROM slides
            WHERE path = ?1 OR (substr(path, -length(?1)) = ?1 AND substr(path, -length(?1) - 1, 1) = '/')
            ORDER BY id LIMIT 1
            """, arguments: [fileName])
    }
}
