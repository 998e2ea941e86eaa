import Foundation

/// Paths to the project's own fixtures (never ../shared), found from this file's location in the checkout.
public enum Fixtures {
    /// The repository root: Sources/TesseraTestSupport/Fixtures.swift is three levels below it.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let directory = repositoryRoot.appendingPathComponent("fixtures")
    public static let slides = directory.appendingPathComponent("slides")
    public static let invalidSlides = slides.appendingPathComponent("invalid")
    public static let reference = directory.appendingPathComponent("reference")
    public static let models = directory.appendingPathComponent("models")
    /// The numerical reference's weights (random, seed 7: fixtures/reference/README.md), the model the network,
    /// int8 and command tests run. One copy: fixtures/reference holds its cases, meta.json and ONNX export.
    public static let referenceModel = models.appendingPathComponent("reference-random.safetensors")

    public static func slide(_ name: String) -> URL { slides.appendingPathComponent(name) }
    public static func invalidSlide(_ name: String) -> URL { invalidSlides.appendingPathComponent(name) }

    /// A fresh, empty temporary directory for one test.
    public static func temporaryDirectory(_ label: String = "tessera-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The built `tessera` binary next to the test bundle (debug or release, whichever is running the tests).
    public static var tesseraExecutable: URL { builtExecutable("tessera") }

    /// The built `tessera-dev` binary (synthetic workloads and benchmark drivers; not installed).
    public static var tesseraDevExecutable: URL { builtExecutable("tessera-dev") }

    /// A binary the package builds, next to the test bundle.
    static func builtExecutable(_ name: String) -> URL {
        let buildDirectory = Bundle.main.bundleURL
        let candidates = [buildDirectory.appendingPathComponent(name),
                          buildDirectory.deletingLastPathComponent().appendingPathComponent(name)]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }
}
