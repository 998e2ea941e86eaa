import Foundation
import Logging
import TesseraCore
import TesseraServe
import TesseraTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP answer as the raw client read it.
struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A minimal HTTP/1.1 client over a plain socket. Unlike URLSession it sends the path exactly as given (no
/// normalising of "../" or percent-escapes), which the path-traversal tests need.
/// Requests block on their socket, so they run on threads of their own: a test waiting for an answer must not hold
/// one of the few cooperative threads the server needs to give it.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static let pool = BlockingThreadPool(name: "test-http", threads: 8)

    static func get(port: Int, _ path: String, method: String = "GET") async throws -> HTTPAnswer {
        try await pool.run { try getBlocking(port: port, path, method: method) }
    }

    /// A connected loopback socket whose reads and writes give up after `timeout` seconds.
    static func connect(port: Int, timeout: Int = 120) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
        return socket
    }

    static func getBlocking(port: Int, _ path: String, method: String = "GET") throws -> HTTPAnswer {
        let socket = try connect(port: port)
        defer { close(socket) }
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw Failure(description: "send failed")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 { throw Failure(description: "recv failed: errno \(errno)") }
            if count == 0 { break }
            received += buffer[0..<count]
        }
        guard let split = (0..<max(0, received.count - 3)).first(where: {
            received[$0] == 13 && received[$0 + 1] == 10 && received[$0 + 2] == 13 && received[$0 + 3] == 10
        }) else { throw Failure(description: "no HTTP header in \(received.count) bytes") }
        let head = String(decoding: received[0..<split], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line \(head[0])")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(received[(split + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunk(body) }
        return HTTPAnswer(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = [], index = 0
        while index < data.count {
            guard let end = (index..<(data.count - 1)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 }),
                  let size = Int(String(decoding: data[index..<end], as: UTF8.self), radix: 16) else {
                throw Failure(description: "bad chunk")
            }
            if size == 0 { break }
            output += data[(end + 2)..<(end + 2 + size)]
            index = end + 4 + size
        }
        return output
    }

    static func json(port: Int, _ path: String) async throws -> [String: Any] {
        let answer = try await get(port: port, path)
        guard answer.status == 200,
              let object = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] else {
            throw Failure(description: "GET \(path): \(answer.status) \(answer.text.prefix(300))")
        }
        return object
    }
}

/// Runs a `SlideViewer` on a free loopback port for the duration of `body`, then cancels it (which shuts it down).
func withViewer<T: Sendable>(_ options: ViewerOptions,
                             _ body: @Sendable (SlideViewer, Int) async throws -> T) async throws -> T {
    var options = options
    options.host = "127.0.0.1"
    options.port = 0
    var logger = Logger(label: "test.serve")
    logger.logLevel = .critical // cancelling the server at the end is not an error worth printing
    let viewer = try SlideViewer(options: options, logger: logger)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await viewer.run { port in continuation.yield(port) }
            return nil
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw RawHTTP.Failure(description: "server did not start") }
        let result = try await body(viewer, port)
        group.cancelAll()
        return result
    }
}

/// The fixture run every HTTP test reads: CMU-1-Small-Region.svs and a copy of small.svs (which one test moves
/// away and back), plus a slide that cannot be read (so the run records a failure), through the bundled model at
/// coarse settings (2 µm/px, 128 px tiles: about 20 tiles; heatmap pixel 32 level-0 px); and CMU's regions
/// exported as GeoJSON into OUT/geojson.
actor FixtureRun {
    static let shared = FixtureRun()
    struct Output: Sendable {
        var directory: URL
        var results: String
        var movableSlide: URL
    }

    private var output: Output?

    func get() throws -> Output {
        if let output { return output }
        let directory = try Fixtures.temporaryDirectory("serve")
        let slides = directory.appendingPathComponent("slides")
        try FileManager.default.createDirectory(at: slides, withIntermediateDirectories: true)
        let movable = slides.appendingPathComponent("small-copy.svs")
        try FileManager.default.copyItem(at: Fixtures.slide("small.svs"), to: movable)
        let out = directory.appendingPathComponent("out")
        let run = try TesseraCLI.run(["run", Fixtures.slide("CMU-1-Small-Region.svs").path, movable.path,
                                      Fixtures.invalidSlide("unreadable.svs").path, "--out", out.path,
                                      "--mpp", "2", "--tile", "128", "--overlap", "16", "--quiet"])
        guard run.status == 1 || run.status == 0 else {
            throw RawHTTP.Failure(description: "tessera run failed (\(run.status)): \(run.stderr)")
        }
        // Regions of CMU only (small-copy.svs gets none), where `tessera serve` looks for them.
        let export = try TesseraCLI.run(["export", "geojson", out.appendingPathComponent("results.sqlite").path,
                                         "--out", out.appendingPathComponent("geojson").path,
                                         "--slide", "CMU-1-Small-Region.svs"])
        guard export.status == 0 else {
            throw RawHTTP.Failure(description: "tessera export geojson failed (\(export.status)): \(export.stderr)")
        }
        let made = Output(directory: out, results: out.appendingPathComponent("results.sqlite").path,
                          movableSlide: movable)
        output = made
        return made
    }
}
