import Foundation
import TesseraCore

/// What `tessera prune` removed, or with `dryRun` would remove.
public struct PruneReport: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        public var slideRunID: Int64?
        public var kind: String
        public var path: String
        public var sizeBytes: Int64
    }

    public var dryRun: Bool
    public var removed: [File] = []
    /// Recorded files that were already gone, or were not the file recorded (another size or SHA-256): their records
    /// are marked removed only when they are gone; a changed file is left and named here.
    public var alreadyGone: [File] = []
    public var leftChanged: [File] = []
    public var bytes: Int64 { removed.reduce(0) { $0 + $1.sizeBytes } }
}

extension ResultsStore {
    /// Removes the files of superseded slide runs (a rescan replaced their slide), keeps every row, and records
    /// each removal (`artefacts.removed_at`). A file is removed only when it is still the one recorded (size and
    /// SHA-256); the "latest" link that points at it goes with it. With `dryRun`, nothing is changed.
    public func pruneSuperseded(layout: OutputLayout, dryRun: Bool, at date: Date = Date()) throws -> PruneReport {
        var report = PruneReport(dryRun: dryRun)
        var recorded: [Artefact] = []
        for artefact in try supersededArtefacts() {
            let file = layout.resolve(artefact.path)
            let entry = PruneReport.File(slideRunID: artefact.slideRunID, kind: artefact.kind.rawValue,
                                         path: file.path, sizeBytes: artefact.sizeBytes)
            guard let facts = StreamingSHA256.file(atPath: file.path) else {
                if !FileManager.default.fileExists(atPath: file.path) {
                    report.alreadyGone.append(entry)
                    recorded.append(artefact)
                } else {
                    report.leftChanged.append(entry)
                }
                continue
            }
            guard facts.size == artefact.sizeBytes, facts.sha256 == artefact.sha256 else {
                report.leftChanged.append(entry)
                continue
            }
            report.removed.append(entry)
            recorded.append(artefact)
            if dryRun { continue }
            do {
                try FileManager.default.removeItem(at: file)
            } catch {
                throw StoreError(.invalidInput, "cannot remove a superseded file: \(SystemErrorText.describe(error))",
                                 path: file.path)
            }
            if let slideRun = artefact.slideRunID,
               let latest = OutputLayout.latestName(of: file.lastPathComponent, slideRun: SlideRunID(rawValue: slideRun)) {
                let link = file.deletingLastPathComponent().appendingPathComponent(latest)
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == file.lastPathComponent {
                    try? FileManager.default.removeItem(at: link)
                }
            }
        }
        if !dryRun { try recordRemoved(recorded, at: date) }
        return report
    }
}
