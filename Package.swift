// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tessera", targets: ["tessera"]),
        .library(name: "TesseraSlide", targets: ["TesseraSlide"]),
        .library(name: "TesseraNetwork", targets: ["TesseraNetwork"]),
        .library(name: "TesseraStore", targets: ["TesseraStore"]),
        .library(name: "TesseraHeatmap", targets: ["TesseraHeatmap"]),
        .library(name: "TesseraPipeline", targets: ["TesseraPipeline"]),
        .library(name: "TesseraStain", targets: ["TesseraStain"]),
        .library(name: "TesseraExport", targets: ["TesseraExport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // NIO itself for one channel handler of `tessera serve` (CloseAfterParseError); Hummingbird depends on both.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
    ],
    targets: [
        // Thin system-library targets: a module map and a shim header each, nothing else.
        .systemLibrary(name: "COpenSlide", pkgConfig: "openslide", providers: [.apt(["libopenslide-dev"])]),
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        // zlib for PNG (TesseraCore/PNG.swift): Foundation on Linux exposes no deflate/inflate.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Debian's libdnnl-dev ships no pkg-config file; the module map links dnnl and gomp by name.
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        // glibc's mallopt (TesseraCore/MallocPolicy.swift), which the Glibc module does not expose.
        .systemLibrary(name: "CMalloc"),
        // libjpeg (libjpeg-turbo on Debian) for the viewer's JPEG tiles (TesseraServe/JPEGEncoder.swift) and for decoding
        // slides' level-0 JPEG tiles directly (TesseraSlide/JPEGTileReader.swift).
        .systemLibrary(name: "CJPEG", providers: [.apt(["libjpeg62-turbo-dev"])]),

        // Shared value types (images, level-0 geometry) and the thread pool for blocking C calls.
        .target(name: "TesseraCore", dependencies: [
            "CMalloc", "CZlib",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "DequeModule", package: "swift-collections"),
            .product(name: "Logging", package: "swift-log"),
        ], plugins: ["TesseraBuildInfo"]),
        // Records the commit, dirty state and build date into TesseraCore's BuildInfo at every build.
        .plugin(name: "TesseraBuildInfo", capability: .buildTool()),
        // Compiles a folder of data files inside a target (TesseraServe/Viewer) into it at build time, as base64 in a
        // generated enum (scripts/generate-embedded-files): no generated copy is checked in.
        .plugin(name: "TesseraEmbeddedFiles", capability: .buildTool()),
        // CTIFF and CJPEG: level-0 JPEG tiles decoded without OpenSlide (TesseraSlide/JPEGTileReader.swift).
        .target(name: "TesseraSlide", dependencies: ["COpenSlide", "CTIFF", "CJPEG", "TesseraCore"]),
        // Tessera's int8 kernels in C (scalar references and AVX2 versions compiled per function, chosen at run time):
        // where oneDNN 2.6's int8 kernels lose to its fp32 ones on machines without VNNI.
        .target(name: "CTesseraKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "TesseraNetwork", dependencies: [
            "CDNNL", "CTesseraKernels", "TesseraCore",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: [
            // The network's SIMD kernels (int8 requantisation, squeeze-excitation, upsampling) run ~100x slower
            // unoptimised; tests on real tiles run them in debug builds, so this module is optimised there too.
            .unsafeFlags(["-O"], .when(configuration: .debug)),
        ]),
        .target(name: "TesseraStore", dependencies: [
            "TesseraCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], exclude: ["Schemas"], plugins: ["TesseraEmbeddedFiles"]),
        .target(name: "TesseraHeatmap", dependencies: ["CTIFF", "TesseraCore"]),
        // Stain normalisation (Reinhard, Macenko): estimation, the per-slide transform, model references.
        .target(name: "TesseraStain", dependencies: ["TesseraCore", "TesseraSlide"], swiftSettings: [
            // Per-pixel optical-density loops (the QC's fold check estimates a slide's stain matrix on its whole
            // thumbnail; normalisation runs over every tile): optimised in debug builds too, as the QC's are.
            .unsafeFlags(["-O"], .when(configuration: .debug)),
        ]),
        .target(name: "TesseraPipeline", dependencies: [
            "TesseraCore", "TesseraSlide", "TesseraNetwork", "TesseraStore", "TesseraHeatmap", "TesseraStain",
            "TesseraExport", "TesseraNuclei", "TesseraQC",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Collections", package: "swift-collections"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
        ], exclude: ["Schemas"], resources: [.copy("Resources/default.safetensors")], plugins: ["TesseraEmbeddedFiles"]),
        // Nuclei as objects (issue 27): instances from the model's nuclei probability, and their measurements.
        .target(name: "TesseraNuclei", dependencies: ["TesseraCore", "TesseraStain"], swiftSettings: [
            // Per-pixel loops over every tile: optimised in debug builds too, as the network's kernels are.
            .unsafeFlags(["-O"], .when(configuration: .debug)),
        ]),
        // Slide quality control (issue 26): pen marks, blur, folds and bubble edges found per pixel on a low-resolution
        // image, and the slide's verdict. Pure logic: no slide reading, no store.
        .target(name: "TesseraQC", dependencies: ["TesseraCore", "TesseraStain"], swiftSettings: [
            // Per-pixel loops over the whole slide's thumbnail: optimised in debug builds too, as the nuclei's are.
            .unsafeFlags(["-O"], .when(configuration: .debug)),
        ]),
        // QuPath GeoJSON: regions traced from the class-map heatmaps, tiles from the results file.
        .target(name: "TesseraExport", dependencies: [
            "CZlib", "TesseraCore", "TesseraHeatmap", "TesseraSlide", "TesseraStore",
            .product(name: "DequeModule", package: "swift-collections"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `tessera serve`: slides, heatmaps and results in a browser (Hummingbird over the results file).
        .target(name: "TesseraServe", dependencies: [
            "CJPEG", "TesseraCore", "TesseraSlide", "TesseraStore", "TesseraHeatmap",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Viewer"], plugins: ["TesseraEmbeddedFiles"]),
        .executableTarget(name: "tessera", dependencies: [
            "TesseraCore", "TesseraSlide", "TesseraNetwork", "TesseraStore", "TesseraHeatmap", "TesseraPipeline", "TesseraNuclei",
            "TesseraExport",
            "TesseraServe", "TesseraStain",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            // `tessera serve` stops on SIGINT and SIGTERM through a ServiceGroup (the library installs no handlers).
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // Synthetic workloads and benchmark drivers for the tests, scripts/ and tools/, and `tessera-dev`, which runs
        // them from the command line. In no product: scripts/install and scripts/package-deb ship `tessera` only.
        .target(name: "TesseraDevSupport", dependencies: [
            "TesseraCore", "TesseraSlide", "TesseraStore", "TesseraHeatmap", "TesseraExport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "tessera-dev", dependencies: [
            "TesseraDevSupport", "TesseraSlide", "TesseraStore", "TesseraCore", "TesseraNetwork", "TesseraNuclei",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Locates fixtures/ and the built binary for tests; never reads ../shared.
        .target(name: "TesseraTestSupport", dependencies: ["TesseraCore"], path: "Sources/TesseraTestSupport"),

        .testTarget(name: "TesseraCoreTests", dependencies: ["TesseraCore", "TesseraTestSupport"]),
        .testTarget(name: "TesseraSlideTests", dependencies: ["TesseraSlide", "TesseraTestSupport"]),
        .testTarget(name: "TesseraNetworkTests", dependencies: ["TesseraNetwork", "CTesseraKernels", "TesseraSlide", "TesseraTestSupport"]),
        .testTarget(name: "TesseraStoreTests", dependencies: ["TesseraStore", "TesseraTestSupport"]),
        .testTarget(name: "TesseraHeatmapTests", dependencies: ["TesseraHeatmap", "TesseraSlide", "TesseraTestSupport"]),
        .testTarget(name: "TesseraPipelineTests", dependencies: ["TesseraPipeline", "TesseraQC", "TesseraExport",
                                                                 "TesseraHeatmap", "TesseraStore", "TesseraTestSupport"]),
        .testTarget(name: "TesseraCLITests", dependencies: ["TesseraTestSupport", "TesseraHeatmap"]),
        .testTarget(name: "TesseraStainTests", dependencies: ["TesseraStain", "TesseraSlide", "TesseraNetwork", "TesseraTestSupport"]),
        .testTarget(name: "TesseraNucleiTests", dependencies: ["TesseraNuclei", "TesseraCore"]),
        .testTarget(name: "TesseraQCTests", dependencies: ["TesseraQC", "TesseraCore", "TesseraSlide", "TesseraStain",
                                                           "TesseraTestSupport"]),
        .testTarget(name: "TesseraExportTests", dependencies: ["TesseraExport", "TesseraHeatmap", "TesseraStore", "TesseraTestSupport"]),
        .testTarget(name: "TesseraServeTests", dependencies: [
            "TesseraServe", "TesseraSlide", "TesseraHeatmap", "TesseraStore", "TesseraTestSupport", "TesseraDevSupport",
            "CJPEG",
        ]),
    ]
)

// Settings for every target, in one place.
for target in package.targets where target.type != .system && target.type != .plugin {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
