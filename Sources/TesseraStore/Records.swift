import Foundation
import TesseraCore

/// A run's row id in one results file (runs.id). Across files, runs are matched by their run_uid.
public struct RunID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { "run #\(rawValue)" }
}

/// One slide in one run (slide_runs.id).
public struct SlideRunID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { "slide run #\(rawValue)" }
}

public enum RunStatus: String, Sendable, CaseIterable {
    case running, finished, interrupted, failed
}

public enum SlideRunStatus: String, Sendable, CaseIterable {
    case pending, running, done, failed, interrupted
}

/// One output class of the model.
public struct ClassInfo: Sendable, Equatable, Codable {
    public var index: Int
    public var name: String
    /// "#rrggbb"
    public var colour: String

    public init(index: Int, name: String, colour: String) {
        self.index = index
        self.name = name
        self.colour = colour
    }
}

/// Everything recorded about a run when it starts.
public struct RunProvenance: Sendable, Equatable {
    /// Identifies the run across machines and merged files.
    public var runUID: String
    public var tesseraVersion: String
    /// nil when the build does not know its commit.
    public var gitCommit: String?
    public var pipelineName: String?
    public var pipelineHash: String?
    public var pipelineText: String?
    public var modelName: String
    public var modelSHA256: String
    /// The model's classes; every TileResult of the run carries one prediction per class, in this order.
    public var classes: [ClassInfo]
    /// JSON text of the full run configuration plus the values resolved from it.
    public var parametersJSON: String
    /// Hash of the parameters that change results: a slide done with the same model and parameters hash is skipped,
    /// and an unfinished run with the same model and parameters hash is resumed.
    public var parametersHash: String
    public var host: String
    public var threads: Int
    public var openSlideVersion: String?
    public var oneDNNVersion: String?
    public var startedAt: Date
    /// The network's arithmetic: "fp32" or "int8".
    public var precision: String
    /// SHA-256 of the int8 model that produced the numbers (the int8 file's, or the model quantised on the fly from
    /// the run's slides, when `modelSHA256` is the fp32 file's); nil at fp32.
    public var quantizedModelSHA256: String?
    /// How a model quantised on the fly was calibrated (JSON: method, tiles, seed, slides); nil otherwise.
    public var calibrationJSON: String?
    /// The class the run segments into nuclei (`runs.nucleus_class_index`); nil when it counts none.
    public var nucleusClassIndex: Int?

    public init(runUID: String = UUID().uuidString.lowercased(), tesseraVersion: String = TesseraVersion.string,
                gitCommit: String?, pipelineName: String? = nil, pipelineHash: String? = nil,
                pipelineText: String? = nil, modelName: String, modelSHA256: String, classes: [ClassInfo],
                parametersJSON: String, parametersHash: String,
                host: String = ProcessInfo.processInfo.hostName, threads: Int,
                openSlideVersion: String?, oneDNNVersion: String?, startedAt: Date = Date(),
                precision: String = "fp32", quantizedModelSHA256: String? = nil, calibrationJSON: String? = nil,
                nucleusClassIndex: Int? = nil) {
        self.runUID = runUID
        self.nucleusClassIndex = nucleusClassIndex
        self.precision = precision
        self.quantizedModelSHA256 = quantizedModelSHA256
        self.calibrationJSON = calibrationJSON
        self.tesseraVersion = tesseraVersion
        self.gitCommit = gitCommit
        self.pipelineName = pipelineName
        self.pipelineHash = pipelineHash
        self.pipelineText = pipelineText
        self.modelName = modelName
        self.modelSHA256 = modelSHA256
        self.classes = classes
        self.parametersJSON = parametersJSON
        self.parametersHash = parametersHash
        self.host = host
        self.threads = threads
        self.openSlideVersion = openSlideVersion
        self.oneDNNVersion = oneDNNVersion
        self.startedAt = startedAt
    }
}

/// A slide file as the run found it.
public struct SlideRecord: Sendable, Equatable {
    /// See `SlideRecord.fingerprint(quickhash:path:sizeBytes:mtime:)`.
    public var fingerprint: String
    public var path: String
    public var sizeBytes: Int64
    public var mtime: Date
    /// OpenSlide's quickhash-1, when it gives one.
    public var quickhash: String?
    public var vendor: String?
    /// Level-0 dimensions in pixels.
    public var width: Int
    public var height: Int
    /// The resolution the file states (µm per pixel), nil when it states none.
    public var mppX: Double?
    public var mppY: Double?
    public var objectivePower: Double?

    public init(path: String, sizeBytes: Int64, mtime: Date, quickhash: String?, vendor: String?,
                width: Int, height: Int, mppX: Double?, mppY: Double?, objectivePower: Double?) {
        self.fingerprint = Self.fingerprint(quickhash: quickhash, path: path, sizeBytes: sizeBytes, mtime: mtime)
        self.path = path
        self.sizeBytes = sizeBytes
        self.mtime = mtime
        self.quickhash = quickhash
        self.vendor = vendor
        self.width = width
        self.height = height
        self.mppX = mppX
        self.mppY = mppY
        self.objectivePower = objectivePower
    }

    /// A slide file that OpenSlide could not open: known only by its path, size and mtime (dimensions 0).
    public static func unreadable(path: String, sizeBytes: Int64, mtime: Date) -> SlideRecord {
        SlideRecord(path: path, sizeBytes: sizeBytes, mtime: mtime, quickhash: nil, vendor: nil, width: 0, height: 0,
                    mppX: nil, mppY: nil, objectivePower: nil)
    }

    /// "quickhash:<hex>" when OpenSlide gives a quickhash (it hashes the slide's content, so the same slide copied to
    /// another machine or path keeps its identity); otherwise "file:<sha-256 of size, mtime in whole seconds and path>",
    /// which changes when the file is moved or touched.
    public static func fingerprint(quickhash: String?, path: String, sizeBytes: Int64, mtime: Date) -> String {
        if let quickhash, !quickhash.isEmpty { return "quickhash:\(quickhash)" }
        let seconds = Int64(mtime.timeIntervalSince1970.rounded(.down))
        return "file:" + sha256Hex(Data("\(sizeBytes)\n\(seconds)\n\(path)".utf8))
    }
}

/// A tile's result for one class.
public struct ClassPrediction: Sendable, Equatable {
    /// Fraction of the tile's own window assigned to the class.
    public var areaFraction: Double
    /// The class's mean probability over the own window.
    public var meanProbability: Double
    /// Fraction of the own window that is tissue and assigned to the class; the classes' add up to the tile's
    /// tissue fraction. nil when the run had no tissue mask (synthetic slides) or recorded none (before schema v5).
    public var tissueAreaFraction: Double?
    /// Fraction of the own window that is tissue, assigned to the class and under an artefact the slide's QC found
    /// (schema v8); nil when the run did no QC.
    public var artefactAreaFraction: Double?

    public init(areaFraction: Double, meanProbability: Double, tissueAreaFraction: Double? = nil,
                artefactAreaFraction: Double? = nil) {
        self.areaFraction = areaFraction
        self.meanProbability = meanProbability
        self.tissueAreaFraction = tissueAreaFraction
        self.artefactAreaFraction = artefactAreaFraction
    }
}

/// One tile's results, as the runner hands them to the store.
public struct TileResult: Sendable, Equatable {
    /// The tile's index in the slide's deterministic plan; (run, slide, index) identifies the tile.
    public var index: Int
    /// The part of the slide the tile answers for, in level-0 pixels (own windows do not overlap).
    public var ownWindow: PixelRect
    public var tissueFraction: Double
    /// One per class of the run, in class-index order.
    public var classes: [ClassPrediction]
    /// The nuclei the tile answers for (its own window holds their centroids); empty when the run counts none.
    public var nuclei: [Nucleus]

    public init(index: Int, ownWindow: PixelRect, tissueFraction: Double, classes: [ClassPrediction], nuclei: [Nucleus] = []) {
        self.index = index
        self.ownWindow = ownWindow
        self.tissueFraction = tissueFraction
        self.classes = classes
        self.nuclei = nuclei
    }
}

/// Time and work of one pipeline stage during a run (added to what earlier attempts of the run recorded): what
/// the run summary prints and reports, and what the store records.
public struct StageMetrics: Sendable, Equatable, Codable {
    public var stage: String
    public var items: Int
    public var busySeconds: Double
    public var waitingOnInputSeconds: Double
    public var waitingOnOutputSeconds: Double

    public init(stage: String, items: Int, busySeconds: Double, waitingOnInputSeconds: Double,
                waitingOnOutputSeconds: Double) {
        self.stage = stage
        self.items = items
        self.busySeconds = busySeconds
        self.waitingOnInputSeconds = waitingOnInputSeconds
        self.waitingOnOutputSeconds = waitingOnOutputSeconds
    }
}

/// What `ResultsStore.startRun` did.
public struct RunStart: Sendable, Equatable {
    public var id: RunID
    public var runUID: String
    /// True when an unfinished run with the same model and parameters was continued instead of a new one started.
    public var resumed: Bool
    /// 1 for a new run, 2 for its first resume, ...
    public var attempt: Int
}

/// What `ResultsStore.startSlideRun` did.
public struct SlideRunStart: Sendable, Equatable {
    public var id: SlideRunID
    /// Tiles already committed for this slide in this run (by an earlier, interrupted attempt): skip them.
    public var committedTileIndices: Set<Int>
    /// True when other content was analysed at the slide's path before: those slide runs are now superseded.
    public var contentChanged: Bool = false
}

/// ISO-8601 UTC with milliseconds, the one time format in the database.
enum Timestamp {
    static func string(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }
}
