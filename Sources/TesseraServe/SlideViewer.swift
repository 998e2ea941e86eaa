import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TesseraCore
import TesseraHeatmap
import TesseraSlide
import TesseraStore

/// What `tessera serve` serves and how.
public struct ViewerOptions: Sendable {
    /// The output folder of a run: results.sqlite, heatmaps/ and (when exported) GeoJSON files.
    public var outputDirectory: URL
    /// The results file (default `<output>/results.sqlite`).
    public var resultsPath: String
    public var host: String
    /// 0 picks a free port (the address is reported to `onRunning`).
    public var port: Int
    /// Bound on the encoded tiles kept in memory.
    public var cacheBytes: Int
    /// Threads that read slides and heatmaps and encode tiles.
    public var readerThreads: Int
    /// JPEG quality of slide tiles (openslide-python's DeepZoom server uses 75).
    public var jpegQuality: Int
    /// A connection that sends no request (or only part of one) for this long is closed, so idle and half-open
    /// sockets do not pile up. Browsers open a new connection when they need one.
    public var idleTimeout: Duration

    public init(outputDirectory: URL, resultsPath: String? = nil, host: String = "127.0.0.1", port: Int = 8642,
                cacheBytes: Int = 256 << 20, readerThreads: Int? = nil, jpegQuality: Int = 75,
                idleTimeout: Duration = .seconds(30)) {
        self.outputDirectory = outputDirectory.standardizedFileURL
        self.resultsPath = resultsPath ?? outputDirectory.appendingPathComponent("results.sqlite").path
        self.host = host
        self.port = port
        self.cacheBytes = cacheBytes
        self.readerThreads = readerThreads ?? max(2, ProcessInfo.processInfo.activeProcessorCount)
        self.jpegQuality = jpegQuality
        self.idleTimeout = idleTimeout
    }
}

/// Counters `GET /api/stats` reports: the cache's, and how often a slide or heatmap file was really read.
public struct ViewerStatistics: Sendable, Equatable, Codable {
    public var cache: TileCacheStatistics
    /// Slide tiles read through OpenSlide.
    public var slideReads: Int
    /// Heatmap tiles decoded from TIFF files.
    public var heatmapReads: Int
}

/// The `tessera serve` web application: an index of the results file's runs and slides, and a deep-zoom viewer per
/// slide run with the run's heatmaps as layers. Read-only; serves only what the results file records.
public final class SlideViewer: Sendable {
    /// Deep Zoom tiling of slides, as openslide-python's DeepZoomGenerator does by default.
    public static let slideTileSize = 254
    public static let slideTileOverlap = 1

    public let options: ViewerOptions
    let catalog: ResultsCatalog
    let heatmaps: HeatmapLayerCatalog
    let cache: TileCache<TileKey, ByteBuffer>
    let readers: BlockingThreadPool
    /// SQLite reads, apart from tile reads so that a burst of tiles never delays the page.
    let database: BlockingThreadPool
    let slides: SlideHandles
    let assets: ViewerAssets
    private let slideReads = Atomic<Int>(0)
    private let heatmapReads = Atomic<Int>(0)
    private let logger: Logger

    enum TileKey: Hashable, Sendable {
        case slide(id: Int64, level: Int, column: Int, row: Int)
        case heatmap(id: Int64, layer: String, level: Int, column: Int, row: Int, transparentBelow: Int)
        case thumbnail(id: Int64)
    }

    /// Opens the results file read-only; fails with a `StoreError` naming it when it is missing or not a results file.
    public init(options: ViewerOptions, logger: Logger) throws {
        self.options = options
        self.logger = logger
        catalog = try ResultsCatalog(path: options.resultsPath)
        heatmaps = HeatmapLayerCatalog(layout: OutputLayout(resultsFile: options.resultsPath),
                                       outputDirectory: options.outputDirectory)
        cache = TileCache(capacityBytes: options.cacheBytes, cost: { $0.readableBytes + 64 })
        readers = BlockingThreadPool(name: "tessera-serve-read", threads: max(1, options.readerThreads))
        database = BlockingThreadPool(name: "tessera-serve-db", threads: 1)
        slides = SlideHandles()
        assets = try ViewerAssets.embedded()
    }

    deinit {
        readers.shutdown()
        database.shutdown()
    }

    public var statistics: ViewerStatistics {
        ViewerStatistics(cache: cache.statistics, slideReads: slideReads.load(ordering: .relaxed),
                         heatmapReads: heatmapReads.load(ordering: .relaxed))
    }

    /// Limits on a request's head. NIO's decoder counts the request line's URL as a header field; beyond a limit it
    /// stops reading, and the server answers 400 and closes the connection (`CloseAfterParseError`), so memory stays
    /// bounded however much a client sends. The viewer's own URLs are under 200 bytes; browsers' headers rarely pass
    /// a few KiB.
    static let headerLimits = HTTP1Channel.Configuration.DecoderConfiguration(
        maxHeaderFieldSize: 16 << 10, maxHeaderListSize: 64 << 10, maxHeaderFieldCount: 100)

    /// The server as a service, for the caller's `ServiceGroup`: the caller decides which signals stop it (the
    /// library leaves the process's signal handling alone). A graceful shutdown of the group lets requests in progress
    /// finish. `onRunning` receives the port once the server listens.
    public func service(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
        // HEAD answers wherever GET does: the same status and headers, no body.
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        routes(router)
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [CloseAfterParseError()],
                                                idleTimeout: TimeAmount(options.idleTimeout),
                                                httpDecoderConfiguration: Self.headerLimits)),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "tessera"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until the calling task is cancelled. Installs no signal handlers: to stop on SIGINT or SIGTERM, run
    /// `service(onRunning:)` in a `ServiceGroup` with `gracefulShutdownSignals`, as `tessera serve` does.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await service(onRunning: onRunning).run()
    }

    // MARK: Routes

    private func routes(_ router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in try await self.indexPage() }
        router.get("/slides/:id") { _, context in
            _ = try await self.detail(try Self.slideID(context))
            return self.assets.response(for: "viewer.html", cacheable: false)
        }
        router.get("/api/slides/:id") { _, context in try await self.slideInfo(try Self.slideID(context)) }
        router.get("/api/slides/:id/tile-at") { request, context in
            try await self.tileAt(try Self.slideID(context), request: request)
        }
        router.get("/api/stats") { _, _ in try Self.json(self.statistics) }
        router.get("/slides/:id/slide.dzi") { _, context in
            let slide = try await self.openSlide(try Self.slideID(context))
            return Self.dzi(Self.slideLayout(slide))
        }
        router.get("/slides/:id/slide_files/:level/:tile") { _, context in
            let id = try Self.slideID(context)
            let (level, column, row) = try Self.tileAddress(context, format: "jpeg")
            return try await self.slideTile(id: id, level: level, column: column, row: row)
        }
        // A layer, and a probability layer drawn transparent below another threshold (the viewer's "show p ≥"
        // slider): the threshold is part of the path, so each threshold is its own Deep Zoom image and its own
        // cached tiles.
        for prefix in ["/slides/:id/layers/:layer", "/slides/:id/layers/:layer/min/:min"] {
            router.get("\(prefix)/image.dzi") { _, context in
                let layer = try await self.layer(try Self.slideID(context), context.parameters.require("layer"))
                _ = try Self.threshold(context)
                let geometry = try await self.readers.run { try HeatmapTileSource(layer: layer).geometry }
                return Self.dzi(geometry.layout, format: "png")
            }
            router.get("\(prefix)/image_files/:level/:tile") { _, context in
                let id = try Self.slideID(context)
                let layer = try await self.layer(id, context.parameters.require("layer"))
                let (level, column, row) = try Self.tileAddress(context, format: "png")
                return try await self.heatmapTile(id: id, layer: layer, level: level, column: column, row: row,
                                                  transparentBelow: try Self.threshold(context))
            }
        }
        router.get("/api/slides/:id/pixel") { request, context in
            try await self.pixel(try Self.slideID(context), request: request)
        }
        router.get("/slides/:id/thumbnail.jpg") { _, context in try await self.thumbnail(try Self.slideID(context)) }
        router.get("/runs/:uid/slide-summary.csv") { _, context in
            try await self.slideSummaryCSV(try context.parameters.require("uid"))
        }
        router.get("/api/slides/:id/regions.geojson") { _, context in
            try await self.regions(try Self.slideID(context))
        }
        router.get("/api/slides/:id/nuclei") { request, context in
            try await self.nuclei(try Self.slideID(context), request: request)
        }
        router.get("/api/slides/:id/nuclei-density") { _, context in
            try await self.nucleusDensity(try Self.slideID(context))
        }
        router.get("/static/**") { _, context in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard self.assets.contains(path) else { throw HTTPError(.notFound, message: "no such file") }
            return self.assets.response(for: path, cacheable: true)
        }
    }

    // MARK: Pages and JSON

    private func indexPage() async throws -> Response {
        let runs = try await database.run { [catalog] in try catalog.runs() }
        let html = IndexPage.render(runs: runs, resultsPath: options.resultsPath)
        return Self.response(ByteBuffer(string: html), contentType: "text/html; charset=utf-8", cacheable: false)
    }

    struct SlideInfo: Encodable {
        struct SlideImage: Encodable {
            var available: Bool
            var message: String?
            var dzi: String?
        }

        struct Layer: Encodable {
            var id: String
            var title: String
            var kind: String
            var classIndex: Int?
            var dzi: String
            /// Level-0 pixels the heatmap covers (its width and height times its downsample).
            var level0Width: Double
            var level0Height: Double
            /// The QC layer's artefact kinds: name, colour and the map value of each (nil for other layers).
            var legend: [LegendEntry]? = nil
        }

        struct LegendEntry: Encodable {
            var name: String
            var colour: String
            var value: Int
        }

        var id: Int64
        var name: String
        var path: String
        var runUID: String
        var status: String
        var error: String?
        var width: Int
        var height: Int
        var mppX: Double?
        var mppY: Double?
        var classes: [ClassInfo]
        /// The slide's content fingerprint when the run read it, and whether a later run found other content at its
        /// path (then `current` is false).
        var fingerprint: String
        var current: Bool
        /// Why the numbers need a person's eye (shown at the top of the viewer), and where the mpp came from
        /// ("file", "userStated", ...).
        var review: [ReviewFlag]
        var mppSource: String?
        var slide: SlideImage
        var layers: [Layer]
        var colourMap: [String]
        var regions: String?
        /// Where the nuclei of a part of the slide are read from (`?x=&y=&w=&h=`), when the run counted nuclei.
        var nuclei: String?
        /// Where the nuclei density grid is read from, when the run counted nuclei.
        var nucleiDensity: String?
    }

    private func slideInfo(_ id: Int64) async throws -> Response {
        let detail = try await detail(id, refresh: true)
        var image = SlideInfo.SlideImage(available: true, message: nil, dzi: "/slides/\(id)/slide.dzi")
        do {
            _ = try await openSlide(id)
        } catch let error as HTTPError {
            image = SlideInfo.SlideImage(available: false, message: error.body, dzi: nil)
        }
        var layers: [SlideInfo.Layer] = []
        // The run's files are laid over the slide only while the file holds the content the run analysed.
        for layer in image.available ? heatmaps.layers(for: detail) : [] {
            guard let geometry = try? await readers.run({ try HeatmapTileSource(layer: layer).geometry }) else {
                continue
            }
            let classIndex: Int? = if case .probability(let index) = layer.kind { index } else { nil }
            let isQC = layer.kind == .qc
            layers.append(SlideInfo.Layer(
                id: layer.id, title: layer.title, kind: isQC ? "qc" : classIndex == nil ? "overlay" : "probability",
                classIndex: classIndex, dzi: "/slides/\(id)/layers/\(layer.id)/image.dzi",
                level0Width: Double(geometry.layout.width) * geometry.downsample,
                level0Height: Double(geometry.layout.height) * geometry.downsample,
                legend: isQC ? await qcLegend(layer) : nil))
        }
        let info = SlideInfo(
            id: id, name: detail.name, path: detail.slidePath, runUID: detail.runUID, status: detail.status,
            error: detail.error, width: detail.width, height: detail.height, mppX: detail.mppX, mppY: detail.mppY,
            classes: detail.classes, fingerprint: detail.fingerprint, current: detail.isCurrent,
            review: detail.review, mppSource: detail.mppSource, slide: image,
            layers: layers, colourMap: ColourMap.viridisCSSStops,
            regions: !image.available || regionsFile(for: detail) == nil ? nil : "/api/slides/\(id)/regions.geojson",
            nuclei: image.available && detail.countsNuclei ? "/api/slides/\(id)/nuclei" : nil,
            nucleiDensity: image.available && detail.countsNuclei ? "/api/slides/\(id)/nuclei-density" : nil)
        return try Self.json(info)
    }

    /// The QC layer's kinds as its file names them, each with its colour and map value (bit k: 2^k).
    private func qcLegend(_ layer: HeatmapLayer) async -> [SlideInfo.LegendEntry] {
        let kinds = (try? await readers.run { try HeatmapFileReader(url: layer.file).metadata.classNames }) ?? []
        return kinds.enumerated().map { index, kind in
            let colour = QCMaskFile.colour(of: kind)
            return SlideInfo.LegendEntry(name: QCMaskFile.title(of: kind),
                                         colour: String(format: "#%02x%02x%02x", colour.red, colour.green, colour.blue),
                                         value: 1 << index)
        }
    }

    private func tileAt(_ id: Int64, request: Request) async throws -> Response {
        guard let x = request.uri.queryParameters["x"].flatMap({ Int($0) }),
              let y = request.uri.queryParameters["y"].flatMap({ Int($0) }) else {
            throw HTTPError(.badRequest, message: "give the point as ?x=X&y=Y, whole level-0 pixels")
        }
        let detail = try await detail(id)
        guard x >= 0, y >= 0, x < detail.width, y < detail.height else {
            throw HTTPError(.badRequest, message: "(\(x), \(y)) is outside the slide (\(detail.width) x \(detail.height))")
        }
        struct Answer: Encodable {
            var x: Int
            var y: Int
            var tile: TileAtPoint?
        }
        let tile = try await database.run { [catalog] in try catalog.tile(slideRun: id, x: x, y: y) }
        return try Self.json(Answer(x: x, y: y, tile: tile))
    }

    /// The nuclei whose centroids lie in a level-0 rectangle, with their outlines (level-0 pixels), for drawing at
    /// high zoom: never a whole slide's (a region of more than `nucleiRegionLimit` pixels is refused), and at most
    /// `nucleiLimit` nuclei (`truncated` says when there were more).
    private func nuclei(_ id: Int64, request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let x = query["x"].flatMap({ Int($0) }), let y = query["y"].flatMap({ Int($0) }),
              let w = query["w"].flatMap({ Int($0) }), let h = query["h"].flatMap({ Int($0) }), w > 0, h > 0 else {
            throw HTTPError(.badRequest, message: "give the region as ?x=X&y=Y&w=W&h=H, whole level-0 pixels, W and H above 0")
        }
        guard w * h <= Self.nucleiRegionLimit else {
            throw HTTPError(.badRequest, message: "the region is \(w) x \(h) level-0 pixels; nuclei are drawn for at most "
                            + "\(Self.nucleiRegionLimit) pixels at a time: zoom in")
        }
        let detail = try await detail(id)
        guard detail.countsNuclei else {
            throw HTTPError(.notFound, message: "the run of \(detail.name) counted no nuclei")
        }
        let region = PixelRect(x: x, y: y, width: w, height: h)
        let found = try await database.run { [catalog] in try catalog.nuclei(slideRun: id, in: region, limit: Self.nucleiLimit) }
        struct Answer: Encodable {
            struct Item: Encodable {
                var x: Double
                var y: Double
                var areaMicrons2: Double
                var regionClass: Int?
                var outline: [Double]
            }
            var total: Int
            var truncated: Bool
            var nuclei: [Item]
        }
        let items = found.nuclei.map { nucleus in
            Answer.Item(x: nucleus.x, y: nucleus.y, areaMicrons2: nucleus.areaMicrons2, regionClass: nucleus.regionClass,
                        outline: nucleus.outlineVertices.flatMap { [$0.x, $0.y] })
        }
        return try Self.json(Answer(total: found.total, truncated: found.total > items.count, nuclei: items))
    }

    /// The slide run's nuclei density grid as the results file gives it (`slide_nuclei_density`): the cells' side
    /// in µm and level-0 pixels, the grid's columns and rows over the slide, and per cell with tissue its nuclei,
    /// tissue share and density (null where tissue covers under a quarter of it). The grid is small (a 2.5-gigapixel
    /// slide has some 16,000 cells), so the viewer takes it whole and draws it itself.
    private func nucleusDensity(_ id: Int64) async throws -> Response {
        let detail = try await detail(id)
        guard detail.countsNuclei,
              let grid = try await database.run({ [catalog] in try catalog.nucleusDensity(slideRun: id) }) else {
            throw HTTPError(.notFound, message: "the run of \(detail.name) recorded no nuclei density")
        }
        struct Answer: Encodable {
            var cellMicrons: Double
            var cellLevel0Pixels: Double
            var columns: Int
            var rows: Int
            var cells: [NucleusDensityGrid.Cell]
        }
        let size = grid.size(slideWidth: detail.width, slideHeight: detail.height)
        return try Self.json(Answer(cellMicrons: grid.cellMicrons, cellLevel0Pixels: grid.cellLevel0Pixels,
                                    columns: size.columns, rows: size.rows, cells: grid.cells))
    }

    /// The largest region (level-0 pixels²) whose nuclei one request returns: 4,096² (about 2 x 2 mm at 0.5 µm/px).
    static let nucleiRegionLimit = 4096 * 4096
    /// The most nuclei one request returns.
    static let nucleiLimit = 20_000

    // MARK: Tiles

    private func slideTile(id: Int64, level: Int, column: Int, row: Int) async throws -> Response {
        let slide = try await openSlide(id)
        let layout = Self.slideLayout(slide)
        guard layout.contains(level: level, column: column, row: row) else {
            throw HTTPError(.notFound, message: "no tile \(column)_\(row) at level \(level) (levels 0-\(layout.maxLevel))")
        }
        let quality = options.jpegQuality
        let bytes = try await Self.explained("slide tile \(level)/\(column)_\(row) of slide run \(id)") {
            try await self.cache.value(for: .slide(id: id, level: level, column: column, row: row)) {
            try await self.readers.run {
                self.slideReads.add(1, ordering: .relaxed)
                let tile = layout.tileRect(level: level, column: column, row: row)
                let image: RGBImage
                do {
                    image = try slide.read(level0Window: layout.fullSizeRect(level: level, column: column, row: row),
                                           outputWidth: tile.width, outputHeight: tile.height)
                } catch {
                    // OpenSlide keeps a handle whose read failed in its error state for good (every later read
                    // fails too): drop it, so that the next request opens the file again, which may be whole by then.
                    self.slides.forget(slide, of: id)
                    throw error
                }
                return ByteBuffer(bytes: try JPEGCodec.encode(image, quality: quality))
            }
        }
        }
        return Self.response(bytes, contentType: "image/jpeg", cacheable: true)
    }

    private func heatmapTile(id: Int64, layer: HeatmapLayer, level: Int, column: Int, row: Int,
                             transparentBelow: Int = HeatmapTileSource.transparentBelow) async throws -> Response {
        let bytes = try await Self.explained("heatmap tile \(layer.id)/\(level)/\(column)_\(row) of slide run \(id)") {
            try await self.cache.value(for: .heatmap(id: id, layer: layer.id, level: level, column: column, row: row,
                                                     transparentBelow: transparentBelow)) {
            try await self.readers.run {
                let source = try HeatmapTileSource(layer: layer)
                guard source.layout.contains(level: level, column: column, row: row) else {
                    throw HTTPError(.notFound, message: "no tile \(column)_\(row) at level \(level) "
                                    + "(levels 0-\(source.layout.maxLevel))")
                }
                self.heatmapReads.add(1, ordering: .relaxed)
                let image = try source.rgbaTile(level: level, column: column, row: row,
                                                transparentBelow: transparentBelow)
                return ByteBuffer(bytes: try PNGImage.encode(pixels: image.pixels, width: image.width,
                                                             height: image.height, channels: 4))
            }
        }
        }
        return Self.response(bytes, contentType: "image/png", cacheable: true)
    }

    /// Runs `body`; an error that is not already an HTTP answer (a failed read or encode) becomes a 500 that says
    /// what failed, instead of an empty one.
    static func explained<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.internalServerError, message: "\(what) failed: \(error)")
        }
    }

    static func slideLayout(_ slide: Slide) -> DeepZoomLayout {
        DeepZoomLayout(width: slide.width, height: slide.height, tileSize: slideTileSize, overlap: slideTileOverlap)
    }

    /// "/min/N/": the probability (0-255) below which a probability layer is drawn transparent; the default when
    /// the path names none.
    static func threshold(_ context: BasicRequestContext) throws -> Int {
        guard let text = context.parameters.get("min") else { return HeatmapTileSource.transparentBelow }
        guard let value = Int(text), (0...255).contains(value) else {
            throw HTTPError(.badRequest, message: "a threshold is a whole number 0-255 (probability x 255)")
        }
        return value
    }

    // MARK: Hover, thumbnails, CSV

    /// What the run's maps say at level-0 point (x, y): the class and each class's probability, from the recorded
    /// heatmaps (the hover read-out).
    private func pixel(_ id: Int64, request: Request) async throws -> Response {
        guard let x = request.uri.queryParameters["x"].flatMap({ Double(String($0)) }),
              let y = request.uri.queryParameters["y"].flatMap({ Double(String($0)) }), x >= 0, y >= 0 else {
            throw HTTPError(.badRequest, message: "give the point as ?x=X&y=Y, level-0 pixels")
        }
        let detail = try await detail(id)
        _ = try await openSlide(id)   // only over the content the run analysed
        // The class layers: the QC layer's file holds artefact bits, not classes.
        let layers = heatmaps.layers(for: detail).filter { $0.kind != .qc }
        struct Answer: Encodable {
            struct Probability: Encodable { var classIndex: Int; var name: String; var probability: Double }
            var x: Double
            var y: Double
            var classIndex: Int?
            var className: String?
            var probabilities: [Probability]
        }
        let answer = try await Self.explained("reading the maps at (\(Int(x)), \(Int(y))) of slide run \(id)") {
            try await self.readers.run { () throws -> Answer in
                var answer = Answer(x: x, y: y, probabilities: [])
                if let any = layers.first {
                    let classMap = try HeatmapTileSource(layer: HeatmapLayer(id: "classes", title: "classes", kind: .overlay,
                                                                             file: any.classMap, classMap: any.classMap))
                    if let value = try classMap.value(atLevel0: x, y), value != HeatmapWriter.noPrediction,
                       Int(value) < detail.classes.count {
                        answer.classIndex = Int(value)
                        answer.className = detail.classes[Int(value)].name
                    }
                }
                guard answer.classIndex != nil else { return answer }
                for layer in layers {
                    guard case .probability(let index) = layer.kind,
                          let value = try HeatmapTileSource(layer: layer).value(atLevel0: x, y) else { continue }
                    answer.probabilities.append(.init(classIndex: index, name: detail.classes[index].name,
                                                      probability: Double(value) / 255))
                }
                return answer
            }
        }
        return try Self.json(answer)
    }

    /// The slide's own thumbnail (its associated image, else one read from the slide), as a JPEG for the index.
    private func thumbnail(_ id: Int64) async throws -> Response {
        let slide = try await openSlide(id)
        let quality = options.jpegQuality
        let bytes = try await Self.explained("the thumbnail of slide run \(id)") {
            try await self.cache.value(for: .thumbnail(id: id)) {
                try await self.readers.run {
                    let image = slide.associatedImageNames.contains("thumbnail")
                        ? try slide.readAssociatedImage(named: "thumbnail") : try slide.thumbnail(maxSize: 192)
                    return ByteBuffer(bytes: try JPEGCodec.encode(image, quality: quality))
                }
            }
        }
        return Self.response(bytes, contentType: "image/jpeg", cacheable: true)
    }

    /// The run's `slide-summary` (the named query) as CSV, for a spreadsheet.
    private func slideSummaryCSV(_ runUID: String) async throws -> Response {
        guard runUID.count <= 64, runUID.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw HTTPError(.badRequest, message: "a run is named by its run_uid")
        }
        let path = options.resultsPath
        let csv = try await Self.explained("the slide summary of run \(runUID)") {
            try await self.database.run {
                try ResultsQuery.run(databasePath: path, sql: NamedQuery.named("slide-summary")!.sql,
                                     parameters: ["run": runUID]).rendered(as: .csv)
            }
        }
        var response = Self.response(ByteBuffer(string: csv), contentType: "text/csv; charset=utf-8", cacheable: false)
        response.headers[.contentDisposition] = "attachment; filename=\"slide-summary-\(runUID.prefix(8)).csv\""
        return response
    }

    // MARK: Regions (GeoJSON export)

    /// The GeoJSON the results file records for the slide run (`tessera run --geojson`), when it may be served.
    func regionsFile(for detail: SlideRunDetail) -> (url: URL, gzipped: Bool)? {
        let recorded = detail.artefacts.filter { $0.kind == .geojson }.max { $0.writtenAt < $1.writtenAt }
        guard let file = heatmaps.servableFile(recorded) else { return nil }
        return (file, file.pathExtension == "gz")
    }

    private func regions(_ id: Int64) async throws -> Response {
        let detail = try await detail(id)
        _ = try await openSlide(id)   // only over the content the run analysed
        guard let file = regionsFile(for: detail) else {
            throw HTTPError(.notFound, message: "no GeoJSON recorded for \(detail.name) (tessera run --geojson)")
        }
        let data = try await Self.explained("reading \(file.url.path)") {
            try await self.readers.run { try Data(contentsOf: file.url) }
        }
        var response = Self.response(ByteBuffer(bytes: data), contentType: "application/geo+json", cacheable: false)
        // A gzipped export goes out as it is; the browser inflates it.
        if file.gzipped { response.headers[.contentEncoding] = "gzip" }
        return response
    }

    // MARK: Lookups

    /// The slide run `id` from the results file (kept after the first look unless `refresh`); 404 when unknown.
    private func detail(_ id: Int64, refresh: Bool = false) async throws -> SlideRunDetail {
        if !refresh, let known = slides.detail(id) { return known }
        let found = try await database.run { [catalog] in try catalog.slideRun(id: id) }
        guard let found else { throw HTTPError(.notFound, message: "no slide run \(id) in the results file") }
        slides.remember(found)
        return found
    }

    private func layer(_ id: Int64, _ name: String) async throws -> HeatmapLayer {
        let detail = try await detail(id)
        _ = try await openSlide(id)   // only over the content the run analysed
        guard let layer = heatmaps.layers(for: detail).first(where: { $0.id == name }) else {
            throw HTTPError(.notFound, message: "slide run \(id) has no heatmap layer \"\(name.prefix(40))\"")
        }
        return layer
    }

    /// The open slide of run `id`; a file that moved or cannot be read is a 404 whose message says so.
    private func openSlide(_ id: Int64) async throws -> Slide {
        let detail = try await detail(id)
        return try await slides.slide(for: detail, pool: readers)
    }

    // MARK: HTTP helpers

    static func slideID(_ context: BasicRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else {
            throw HTTPError(.badRequest, message: "a slide is addressed by its number in the results file")
        }
        return id
    }

    /// "COLUMN_ROW.FORMAT" of a Deep Zoom tile URL, with its level.
    static func tileAddress(_ context: BasicRequestContext, format: String) throws -> (Int, Int, Int) {
        let levelText = try context.parameters.require("level")
        let name = try context.parameters.require("tile")
        let suffix = "." + format
        let parts = name.hasSuffix(suffix) ? name.dropLast(suffix.count).split(separator: "_", omittingEmptySubsequences: false) : []
        guard let level = Int(levelText), parts.count == 2, let column = Int(parts[0]), let row = Int(parts[1]),
              level >= 0, column >= 0, row >= 0, level < 64 else {
            throw HTTPError(.badRequest, message: "a tile is LEVEL/COLUMN_ROW\(suffix) with whole numbers")
        }
        return (level, column, row)
    }

    static func dzi(_ layout: DeepZoomLayout, format: String = "jpeg") -> Response {
        response(ByteBuffer(string: layout.descriptor(format: format)), contentType: "application/xml",
                 cacheable: false)
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return response(ByteBuffer(bytes: try encoder.encode(value)), contentType: "application/json",
                        cacheable: false)
    }

    static func response(_ body: ByteBuffer, contentType: String, cacheable: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = cacheable ? "private, max-age=300" : "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

/// The open slides, by slide run, and the slide runs already looked up. A slide that could not be opened is
/// tried again after `retryAfter` seconds, and a handle whose read failed is forgotten (`forget`), so a file put
/// back is served without a restart; an open slide whose file changed (size, modification time or inode) is opened
/// and checked again.
final class SlideHandles: Sendable {
    private enum Entry {
        case open(Slide, FileState?)
        case failed(String, at: Date, FileState?)
    }

    /// What is cheap to read of a slide file and changes when it is replaced or rewritten.
    struct FileState: Equatable {
        var identity: FileIdentity?
        var size: Int64
        var mtime: Date

        init?(path: String) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
            identity = FileIdentity(path: path)
            size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            mtime = attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0)
        }
    }

    private struct State {
        var details: [Int64: SlideRunDetail] = [:]
        var slides: [Int64: Entry] = [:]
    }

    private let state = Mutex(State())
    let retryAfter: TimeInterval = 10

    func detail(_ id: Int64) -> SlideRunDetail? { state.withLock { $0.details[id] } }

    func remember(_ detail: SlideRunDetail) { state.withLock { $0.details[detail.id] = detail } }

    /// Drops `slide` as the open slide of run `id` (unless another handle has replaced it already).
    func forget(_ slide: Slide, of id: Int64) {
        state.withLock { state in
            if case .open(let known, _) = state.slides[id], known === slide { state.slides[id] = nil }
        }
    }

    func slide(for detail: SlideRunDetail, pool: BlockingThreadPool) async throws -> Slide {
        let known: Entry? = state.withLock { $0.slides[detail.id] }
        let now = FileState(path: detail.slidePath)
        switch known {
        case .open(let slide, let opened) where opened == now:
            return slide
        case .failed(let message, at: let date, let seen) where seen == now && Date().timeIntervalSince(date) < retryAfter:
            throw HTTPError(.notFound, message: message)
        default:
            break
        }
        let opened: Result<Slide, HTTPError> = await pool.run { Self.open(detail) }
        state.withLock { state in
            switch opened {
            case .success(let slide): state.slides[detail.id] = .open(slide, now)
            case .failure(let error): state.slides[detail.id] = .failed(error.body ?? "", at: Date(), now)
            }
        }
        return try opened.get()
    }

    /// Opens the slide file the run read, and checks it still holds the content the run analysed (its fingerprint:
    /// OpenSlide's quickhash of the content, or for a file without one its size, modification time and path).
    private static func open(_ detail: SlideRunDetail) -> Result<Slide, HTTPError> {
        let url = URL(fileURLWithPath: detail.slidePath)
        do {
            let slide = try Slide(contentsOf: url)
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            let fingerprint = SlideRecord.fingerprint(
                quickhash: slide.quickhash, path: url.path,
                sizeBytes: (attributes?[.size] as? NSNumber)?.int64Value ?? 0,
                mtime: attributes?[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0))
            guard fingerprint == detail.fingerprint else {
                return .failure(HTTPError(.notFound, message: "the slide file \(detail.slidePath) has changed since the "
                    + "run analysed it (its fingerprint is \(fingerprint), the run's \(detail.fingerprint)): the run's "
                    + "heatmaps and regions are not laid over other content"))
            }
            return .success(slide)
        } catch {
            return .failure(HTTPError(.notFound, message: "the slide file cannot be read (moved or changed since the "
                                      + "run?): \(error)"))
        }
    }
}
