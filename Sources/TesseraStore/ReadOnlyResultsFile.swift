import Foundation
import GRDB
import GRDBSQLite

/// A results file opened only to be read (`tessera query`, the inputs of `tessera merge`), wherever it lies.
///
/// Results files are in WAL mode, and SQLite reads a WAL database through a `-shm` file it creates beside it. On
/// read-only storage (an archive share, a snapshot, a read-only bind mount) it cannot, and a plain read-only open
/// fails with "unable to open database file". No process can write a file on a read-only file system, so there the
/// file is opened as `immutable`: SQLite then reads it with no `-shm` and no locks. Elsewhere it is opened read-only
/// in the ordinary way, so a run writing the file at the same time is seen consistently.
public struct ReadOnlyResultsFile: Sendable, Equatable {
    public let path: String
    /// True when the file lies on a read-only file system and is opened as immutable.
    public let immutable: Bool
    /// Bytes in the file's write-ahead log when the file lies on read-only storage with one (a copy taken while a run
    /// was writing): SQLite can read them only if the `-shm` file beside it is usable, so these files are opened the
    /// ordinary way, and a failure says to copy them.
    let readOnlyLogBytes: Int

    /// Checks that `path` exists and decides how to open it. Throws `.cannotOpen` naming the file and what to do.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.cannotOpen, "no such results file: check the path", path: path)
        }
        var fileSystem = statvfs()
        let readOnlyStorage = statvfs(path, &fileSystem) == 0 && (fileSystem.f_flag & UInt(ST_RDONLY)) != 0
        // Committed transactions can still sit in the write-ahead log. Immutable reads ignore the log, so they would
        // silently miss them: such a file is never opened as immutable.
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int ?? 0
        readOnlyLogBytes = readOnlyStorage ? wal : 0
        guard readOnlyStorage, wal == 0 else {
            immutable = false
            return
        }
        // Debian's SQLite reads `file:` URIs in every open (SQLITE_USE_URI); GRDB passes no SQLITE_OPEN_URI flag.
        guard sqlite3_compileoption_used("USE_URI") == 1 else {
            throw StoreError(.cannotOpen, "the file lies on read-only storage and this SQLite cannot open it as "
                             + "immutable; copy it to writable storage", path: path)
        }
        immutable = true
    }

    /// The name to give SQLite (`sqlite3_open_v2`, `ATTACH`): the path, or on read-only storage a `file:` URI
    /// that opens it read-only and immutable.
    public var sqliteName: String {
        guard immutable else { return path }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        return "file:\(encoded)?mode=ro&immutable=1"
    }

    /// A read-only connection to the file, already read from once (so that a file SQLite cannot read fails here, with
    /// advice, not at the first statement). With `checkingSchema`, its schema must be one this build can read.
    public func open(checkingSchema: Bool) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: sqliteName, configuration: configuration)
            try queue.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master")
                if checkingSchema { try ResultsSchema.checkCompatible(db, path: path) }
            }
            return queue
        } catch let error as DatabaseError {
            var message = "cannot open the results file: \(error.message ?? "\(error)")"
            if readOnlyLogBytes > 0 {
                message += "; the file lies on read-only storage and its write-ahead log (\(path)-wal, "
                    + "\(readOnlyLogBytes) bytes) holds changes SQLite cannot read there: copy the file with its -wal "
                    + "and -shm files to writable storage and use the copy"
            } else if error.resultCode == .SQLITE_CANTOPEN {
                message += "; check that the file and its folder are readable (SQLite also needs the folder writable "
                    + "for a results file in WAL mode, unless the file lies on read-only storage)"
            } else if error.resultCode == .SQLITE_NOTADB {
                message += "; this is not an SQLite results file"
            }
            throw StoreError(.cannotOpen, message, path: path, sqliteCode: error.extendedResultCode.rawValue)
        }
    }
}
