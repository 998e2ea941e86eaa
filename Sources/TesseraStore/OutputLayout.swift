import Foundation
import GRDB
import TesseraCore

/// The one description of a results folder: where the results file, heatmaps, GeoJSON and reports go, how each
/// slide run's files are named, and how recorded artefact paths become files again.
///
/// Every file a slide run writes carries its slide run's number (`CMU-1.svs.sr12.classes.tif`), so two slide runs
/// never share a file: a rescan of a slide, or the same slide run with other settings, writes new files beside the
/// old ones. The plain name (`CMU-1.svs.classes.tif`) is a relative symbolic link to the latest slide run's file,
/// for scripts and people browsing the folder; the `artefacts` table of the results file is the truth.
public struct OutputLayout: Sendable, Equatable {
    public static let resultsFileName = "results.sqlite"

    /// The results file; artefact paths are recorded relative to its folder.
    public let resultsFile: URL
    public let heatmapDirectory: URL
    public let geojsonDirectory: URL
    public let reportsDirectory: URL
    /// How heatmaps are written, which names their files (`.tif` or `.ome.tif`).
    public let heatmapFormat: HeatmapFormat

    /// The folder artefact paths are relative to: the results file's.
    public var root: URL { resultsFile.deletingLastPathComponent() }

    /// A layout for `outputDirectory`: `results.sqlite`, `heatmaps/`, `geojson/`, `reports/` inside it, each
    /// replaceable (a pipeline's `results_database` and `heatmap_directory`).
    public init(outputDirectory: URL, resultsFile: String? = nil, heatmapDirectory: String? = nil,
                heatmapFormat: HeatmapFormat = .tiff) {
        self.heatmapFormat = heatmapFormat
        let out = outputDirectory.standardizedFileURL
        self.resultsFile = resultsFile.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? out.appendingPathComponent(Self.resultsFileName)
        self.heatmapDirectory = heatmapDirectory.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
            ?? out.appendingPathComponent("heatmaps", isDirectory: true)
        geojsonDirectory = out.appendingPathComponent("geojson", isDirectory: true)
        reportsDirectory = out.appendingPathComponent("reports", isDirectory: true)
    }

    /// The layout of a results file that sits in its output folder (what `export`, `serve` and `prune` open).
    public init(resultsFile: String) {
        let url = URL(fileURLWithPath: resultsFile).standardizedFileURL
        self.init(outputDirectory: url.deletingLastPathComponent(), resultsFile: url.path)
    }

    // MARK: Names

    /// The stem of a slide run's file names: the slide's output stem (`OutputNames`) and the slide run's number.
    public static func slideRunStem(outputStem: String, slideRun: SlideRunID) -> String {
        "\(outputStem).sr\(slideRun.rawValue)"
    }

    /// The files of one slide run: `<stem>.sr<N>.classes.tif`, `.model-classes.tif`, `.overlay.tif`, `.prob-<class>.tif` (one per class,
    /// in class order), `.qc.tif` (the QC's artefact map) (`.ome.tif` for OME-TIFF heatmaps) in the heatmap folder,
    /// and `<stem>.sr<N>.geojson` in the GeoJSON folder.
    public func slideRunFiles(outputStem: String, slideRun: SlideRunID, classNames: [String]) -> SlideRunFiles {
        let stem = Self.slideRunStem(outputStem: outputStem, slideRun: slideRun)
        return SlideRunFiles(stem: stem, heatmapDirectory: heatmapDirectory, geojsonDirectory: geojsonDirectory,
                             classNames: classNames, heatmapFormat: heatmapFormat)
    }

    /// The class names whose probability heatmaps would share a file name ("α x" and "β x" are both "__x"), in
    /// groups in class order; empty when every class gets its own file. A run checks this before its first slide.
    public static func clashingClassNames(_ classNames: [String]) -> [[String]] {
        var byFileName: [String: [String]] = [:]
        for name in classNames { byFileName[fileNameSafe(name), default: []].append(name) }
        var seen = Set<String>()
        return classNames.compactMap { name in
            let safe = fileNameSafe(name)
            guard let group = byFileName[safe], group.count > 1, seen.insert(safe).inserted else { return nil }
            return group
        }
    }

    /// Letters, digits, '-', '_' and '.' are kept; anything else becomes '_'.
    public static func fileNameSafe(_ name: String) -> String {
        let safe = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        })
        return safe.isEmpty ? "_" : safe
    }

    /// The "latest" name of a slide run's file: its name without the slide run's number
    /// (`a.svs.sr3.classes.tif` -> `a.svs.classes.tif`); nil when the name has no such number.
    public static func latestName(of fileName: String, slideRun: SlideRunID) -> String? {
        let marker = ".sr\(slideRun.rawValue)."
        guard let range = fileName.range(of: marker, options: .backwards) else { return nil }
        return fileName.replacingCharacters(in: range, with: ".")
    }

    // MARK: Paths

    /// `url` relative to the results file's folder (`heatmaps/a.svs.sr1.classes.tif`, or `../x/...` outside it).
    public func relativePath(of url: URL) -> String {
        Self.relativePath(of: url.standardizedFileURL.path, from: root.path)
    }

    /// The file a recorded artefact path names.
    public func resolve(_ recordedPath: String) -> URL {
        if recordedPath.hasPrefix("/") { return URL(fileURLWithPath: recordedPath).standardizedFileURL }
        return root.appendingPathComponent(recordedPath).standardizedFileURL
    }

    /// `path` relative to folder `base`, both absolute and standardised.
    public static func relativePath(of path: String, from base: String) -> String {
        let target = path.split(separator: "/", omittingEmptySubsequences: true)
        let from = base.split(separator: "/", omittingEmptySubsequences: true)
        var common = 0
        while common < target.count, common < from.count, target[common] == from[common] { common += 1 }
        let up = Array(repeating: "..", count: from.count - common)
        return (up + target[common...].map(String.init)).joined(separator: "/")
    }

    /// Points the link `latest` (in the same folder as `file`) at `file`, replacing what was there atomically: a
    /// relative symbolic link, so the folder can be moved or mounted elsewhere. A regular file of that name (written
    /// by a Tessera before artefacts were recorded) is left alone: it belongs to an earlier slide run.
    public static func pointLatest(_ latest: URL, at file: URL) throws {
        let manager = FileManager.default
        if let type = try? manager.attributesOfItem(atPath: latest.path)[.type] as? FileAttributeType,
           type != .typeSymbolicLink { return }
        let temporary = latest.deletingLastPathComponent()
            .appendingPathComponent(".\(latest.lastPathComponent).link-\(getpid())")
        try? manager.removeItem(at: temporary)
        try manager.createSymbolicLink(atPath: temporary.path, withDestinationPath: file.lastPathComponent)
        guard rename(temporary.path, latest.path) == 0 else {
            let code = errno
            try? manager.removeItem(at: temporary)
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(code),
                          userInfo: [NSLocalizedDescriptionKey: "cannot link \(latest.path): \(String(cString: strerror(code)))"])
        }
    }

    /// Whether `file`, with every symbolic link resolved, lies inside one of `folders` (also resolved) and is a
    /// regular file. What `serve` checks before it reads a recorded artefact.
    public static func isRegularFile(_ file: URL, inside folders: [URL]) -> Bool {
        guard let real = realPath(file.path) else { return false }
        var status = stat()
        guard stat(real, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return false }
        return folders.contains { folder in
            guard let base = realPath(folder.path) else { return false }
            return real.hasPrefix(base.hasSuffix("/") ? base : base + "/")
        }
    }

    /// The path with every symbolic link resolved; nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Where one slide run's files go (`OutputLayout.slideRunFiles`).
public struct SlideRunFiles: Sendable, Equatable {
    /// `<slide output stem>.sr<slide run>`.
    public var stem: String
    public var classMap: URL
    /// The class map at the model's resolution, where regions are traced and measured.
    public var modelClassMap: URL
    public var overlay: URL
    /// One per class, in class order.
    public var probabilities: [URL]
    /// Nuclei per mm² of tissue on the density grid (float32; always a plain TIFF: a single small level, which
    /// every reader opens, and OME-TIFF's readers read plain TIFF too).
    public var nucleiDensity: URL
    /// `<stem>.sr<N>.qc.tif`: the slide QC's artefact map at the QC resolution, written whenever the QC ran (with
    /// or without heatmaps), so the export and the viewer show what the QC found.
    public var qcMask: URL
    public var geojsonDirectory: URL

    init(stem: String, heatmapDirectory: URL, geojsonDirectory: URL, classNames: [String],
         heatmapFormat: HeatmapFormat = .tiff) {
        self.stem = stem
        let tif = heatmapFormat.fileExtension
        classMap = heatmapDirectory.appendingPathComponent(stem + ".classes" + tif)
        modelClassMap = heatmapDirectory.appendingPathComponent(stem + ".model-classes" + tif)
        overlay = heatmapDirectory.appendingPathComponent(stem + ".overlay" + tif)
        nucleiDensity = heatmapDirectory.appendingPathComponent(stem + ".nuclei-density.tif")
        qcMask = heatmapDirectory.appendingPathComponent(stem + ".qc" + tif)
        probabilities = classNames.map {
            heatmapDirectory.appendingPathComponent(stem + ".prob-" + OutputLayout.fileNameSafe($0) + tif)
        }
        self.geojsonDirectory = geojsonDirectory
    }

    /// The GeoJSON file of the slide run's regions and tiles, in `directory` (default: the layout's GeoJSON folder).
    public func geojson(gzip: Bool, in directory: URL? = nil) -> URL {
        (directory ?? geojsonDirectory).appendingPathComponent(stem + (gzip ? ".geojson.gz" : ".geojson"))
    }

    /// The heatmaps with their kinds, for `ResultsStore.recordArtefacts`.
    public var heatmapArtefacts: [ArtefactFile] {
        [ArtefactFile(kind: .classMap, url: classMap), ArtefactFile(kind: .modelClassMap, url: modelClassMap),
         ArtefactFile(kind: .overlay, url: overlay)]
            + probabilities.enumerated().map { ArtefactFile(kind: .probability, classIndex: $0.offset, url: $0.element) }
    }
}

/// One file a run or slide run wrote, as the results file records it (the `artefacts` table).
public struct Artefact: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case classMap = "class_map"
        /// The class map at the model's resolution (from schema v6).
        case modelClassMap = "model_class_map"
        case overlay
        case probability
        case geojson
        case report
        /// Nuclei per mm² of tissue on the slide run's density grid, a float32 TIFF (from schema v9).
        case nucleiDensity = "nuclei_density"
        /// The slide QC's artefact map (from schema v9): one bit per artefact kind (`SlideRunFiles.qcMask`).
        case qcMask = "qc_mask"
    }

    public var id: Int64
    public var runID: Int64
    public var slideRunID: Int64?
    public var kind: Kind
    /// The class of a probability map.
    public var classIndex: Int?
    /// Relative to the results file's folder.
    public var path: String
    public var sizeBytes: Int64
    public var sha256: String
    public var writtenAt: String
    /// Set when `tessera prune` removed the file.
    public var removedAt: String?

    init(row: Row) throws {
        id = row["id"]
        runID = row["run_id"]
        slideRunID = row["slide_run_id"]
        let kindText: String = row["kind"]
        guard let kind = Kind(rawValue: kindText) else {
            throw StoreError(.incompatibleSchema, "an artefact has an unknown kind \(kindText)", path: "")
        }
        self.kind = kind
        classIndex = row["class_index"]
        path = row["path"]
        sizeBytes = row["size_bytes"]
        sha256 = row["sha256"]
        writtenAt = row["written_at"]
        removedAt = row["removed_at"]
    }

    static let columns = "id, run_id, slide_run_id, kind, class_index, path, size_bytes, sha256, written_at, removed_at"
}

/// A file to record: what `ResultsStore.recordArtefacts` takes.
public struct ArtefactFile: Sendable, Equatable {
    public var kind: Artefact.Kind
    public var classIndex: Int?
    public var url: URL

    public init(kind: Artefact.Kind, classIndex: Int? = nil, url: URL) {
        self.kind = kind
        self.classIndex = classIndex
        self.url = url
    }

    /// The size and SHA-256 of the file as it is now.
    func facts() throws -> (size: Int64, sha256: String) {
        guard let facts = StreamingSHA256.file(atPath: url.path) else {
            throw StoreError(.invalidInput, "cannot read the file to record it as an artefact", path: url.path)
        }
        return facts
    }
}
