import Foundation

/// Space held back on the results file's disk while a run writes, and given back when the run ends or the disk fills,
/// so that the end of the run can still be recorded: its interrupted slides and its own status. Without it, a full
/// disk leaves the run's row `running` (SQLite cannot write the update), and a lab reads a run still going.
struct DiskReserve {
    /// A few commits of SQLite pages, and a run report.
    static let defaultBytes = 256 * 1024

    let path: String

    /// Allocates `bytes` at `path` (replacing what a killed run left there); nil when the disk has not even that free
    /// or the file cannot be made: the run goes on without a reserve.
    static func hold(_ bytes: Int = defaultBytes, at path: String) -> DiskReserve? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        // posix_fallocate returns the error rather than setting errno; the blocks are the disk's, not a sparse promise.
        guard posix_fallocate(descriptor, 0, off_t(bytes)) == 0 else {
            unlink(path)
            return nil
        }
        return DiskReserve(path: path)
    }

    /// Gives the space back. Safe to call more than once.
    func release() { unlink(path) }
}
