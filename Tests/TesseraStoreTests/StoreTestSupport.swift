import Foundation
import GRDB
import Logging
import TesseraCore
@testable import TesseraStore
import TesseraTestSupport

/// Small builders shared by the store tests.
enum StoreTestSupport {
    static let logger = Logger(label: "tessera.store.tests")

    static func freshStore(_ label: String = "store") throws -> (store: ResultsStore, path: String) {
        let path = try Fixtures.temporaryDirectory(label).appendingPathComponent("results.sqlite").path
        return (try ResultsStore(path: path, logger: logger), path)
    }

    static let twoClasses = [ClassInfo(index: 0, name: "background", colour: "#000000"),
                             ClassInfo(index: 1, name: "tumour", colour: "#ff0000")]

    static func provenance(uid: String = UUID().uuidString.lowercased(), parametersHash: String = "params-a",
                           started: Date = Date(timeIntervalSince1970: 1_800_000_000)) -> RunProvenance {
        RunProvenance(runUID: uid, gitCommit: "abc123", modelName: "reference-random", modelSHA256: "sha-model",
                      classes: twoClasses, parametersJSON: #"{"overlap":64}"#, parametersHash: parametersHash,
                      host: "test-host", threads: 2, openSlideVersion: "4.0.0", oneDNNVersion: "3.0",
                      startedAt: started)
    }

    static func slide(_ name: String, quickhash: String? = nil, width: Int = 2000, height: Int = 1000) -> SlideRecord {
        SlideRecord(path: "/slides/\(name)", sizeBytes: 1234, mtime: Date(timeIntervalSince1970: 1_700_000_000),
                    quickhash: quickhash ?? "qh-\(name)", vendor: "generic-tiff", width: width, height: height,
                    mppX: 0.5, mppY: 0.5, objectivePower: 20)
    }

    /// `inTissue`: each class's fraction of the own window inside the tissue (they add up to `tissue`).
    static func tile(_ index: Int, _ rect: PixelRect, tissue: Double, _ classes: [(Double, Double)],
                     inTissue: [Double]? = nil) -> TileResult {
        TileResult(index: index, ownWindow: rect, tissueFraction: tissue,
                   classes: classes.indices.map {
                       ClassPrediction(areaFraction: classes[$0].0, meanProbability: classes[$0].1,
                                       tissueAreaFraction: inTissue?[$0])
                   })
    }

    /// A read-only connection for checking what the store wrote.
    static func reader(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}
