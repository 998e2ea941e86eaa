import Foundation
import Testing
import TesseraServe
import TesseraTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// What `tessera serve` does with unlucky or hostile clients (issue 28, item 7): HEAD, oversized request heads, idle
/// and half-open connections, and a slide file that fails a read and comes back. Part of the serialized HTTP suite,
/// because one test damages the fixture run's movable slide for a moment.
extension ViewerHTTPTests {
    @Test func headAnswersWhereverGetDoesWithTheSameHeadersAndNoBody() async throws {
        let fixture = try await FixtureRun.shared.get()
        let id = try slideRunID(fixture.results, pathEndingWith: "CMU-1-Small-Region.svs")
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory)) { _, port in
            let paths = [
                "/", "/slides/\(id)", "/api/slides/\(id)", "/slides/\(id)/slide.dzi",
                "/slides/\(id)/slide_files/12/0_0.jpeg", "/slides/\(id)/layers/overlay/image.dzi",
                "/slides/\(id)/layers/overlay/image_files/0/0_0.png", "/api/slides/\(id)/regions.geojson",
                "/api/slides/\(id)/tile-at?x=10&y=10", "/static/viewer.js",
                "/static/vendor/openseadragon/openseadragon.min.js",
                // Errors too: the same status, no body.
                "/nothing/here", "/slides/abc", "/slides/99999/slide.dzi", "/static/../../etc/passwd",
            ]
            for path in paths {
                let get = try await RawHTTP.get(port: port, path)
                let head = try await RawHTTP.get(port: port, path, method: "HEAD")
                #expect(head.status == get.status, "HEAD \(path): \(head.status), GET: \(get.status)")
                #expect(head.body.isEmpty, "HEAD \(path) sent \(head.body.count) bytes of body")
                #expect(head.headers["content-type"] == get.headers["content-type"], "HEAD \(path)")
                if get.status == 200 {
                    #expect(head.headers["content-length"] == String(get.body.count),
                            "HEAD \(path): content-length \(head.headers["content-length"] ?? "none"), GET sent \(get.body.count)")
                }
            }
            #expect(try await RawHTTP.get(port: port, "/", method: "HEAD").status == 200)
        }
    }

    /// An 8 MB URL or a 16 MB header is refused after the first 16 KiB (NIO's decoder limits): the server answers 400
    /// and closes the connection at once, so a client that sends its whole request before reading is not left blocked
    /// in `send` on an open connection (before: until it gave up, here after 10 s per MiB it could not send). Then the
    /// server serves the next client as before.
    @Test(arguments: ["url", "header"])
    func anOversizedRequestHeadIsAnsweredAndClosedPromptly(part: String) async throws {
        let fixture = try await FixtureRun.shared.get()
        // A long idle timeout, so a close seen here comes from the refusal, not from the idle timer.
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory, idleTimeout: .seconds(120))) { _, port in
            let started = ContinuousClock.now
            let outcome = try await RawHTTP.pool.run {
                try Self.sendThenRead(port: port, request: Self.oversizedRequest(part))
            }
            let elapsed = ContinuousClock.now - started
            #expect(outcome.closed, "\(part): the server kept the connection open: \(outcome)")
            #expect(elapsed < .seconds(5), "\(part): the connection ended after \(elapsed)")
            // The 400 arrives unless the reset that the close sends (the client's unread bytes) overtakes it.
            #expect(outcome.status == nil || outcome.status == 400, "\(part): \(outcome)")
            // How much of the request the client got into the socket before the close depends on when the server's
            // event loop ran (a clean-clone CI run saw all 16 MB go in before the close, with the test suite's other
            // work on both cores), so it is not asserted: what matters to the client is the answer and the close
            // above, within 5 s, and the next client being served.
            let next = try await RawHTTP.get(port: port, "/")
            #expect(next.status == 200)
        }
    }

    /// A connection that sends nothing, half a request head, or nothing after its answer is closed after the idle
    /// timeout, so idle and half-open sockets cannot pile up.
    @Test func idleAndHalfOpenConnectionsAreClosedAfterTheIdleTimeout() async throws {
        let fixture = try await FixtureRun.shared.get()
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory, idleTimeout: .seconds(1))) { _, port in
            let openings: [(String, String)] = [
                ("nothing", ""),
                ("half a request head", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"),
                ("a finished keep-alive request", "GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
            ]
            for (what, opening) in openings {
                let started = ContinuousClock.now
                let outcome = try await RawHTTP.pool.run {
                    try Self.sendThenRead(port: port, request: Array(opening.utf8), readTimeout: 10)
                }
                let elapsed = ContinuousClock.now - started
                #expect(outcome.closed, "\(what): still open after \(elapsed): \(outcome)")
                #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(6), "\(what): closed after \(elapsed)")
                if what.hasPrefix("a finished") { #expect(outcome.status == 200, "\(outcome)") }
            }
        }
    }

    /// A read that fails leaves OpenSlide's handle in its error state for good. The viewer drops that handle, so
    /// once the file is whole again its tiles are served without a restart (before: 500 until the server restarted).
    @Test func aSlideThatFailedAReadIsServedAgainOnceItsFileIsWhole() async throws {
        // A run of its own over a copy of CMU-1-Small-Region.svs (2220 x 2967 px: many tiles), which this test damages.
        let directory = try Fixtures.temporaryDirectory("serve-damaged")
        defer { try? FileManager.default.removeItem(at: directory) }
        let slide = directory.appendingPathComponent("scanning.svs")
        try FileManager.default.copyItem(at: cmu, to: slide)
        let out = directory.appendingPathComponent("out")
        let run = try TesseraCLI.run(["run", slide.path, "--out", out.path, "--mpp", "2", "--tile", "128",
                                      "--overlap", "16", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let id = try slideRunID(out.appendingPathComponent("results.sqlite").path, pathEndingWith: "scanning.svs")
        let original = try Data(contentsOf: slide)
        try await withViewer(ViewerOptions(outputDirectory: out)) { viewer, port in
            let dzi = try await RawHTTP.get(port: port, "/slides/\(id)/slide.dzi")
            #expect(dzi.status == 200)
            let level = try #require(Self.maxLevel(dzi.text))
            let first = try await RawHTTP.get(port: port, "/slides/\(id)/slide_files/\(level)/0_0.jpeg")
            #expect(first.status == 200)

            // The scanner is writing the file again: the same inode, cut short.
            let handle = try FileHandle(forWritingTo: slide)
            try handle.truncate(atOffset: UInt64(original.count / 20))
            try handle.close()
            let damaged = try await RawHTTP.get(port: port, "/slides/\(id)/slide_files/\(level)/4_5.jpeg")
            // Refused: a read that fails (500), or, as here, a file that no longer has the content the run analysed
            // (404, issue 23: the viewer checks the slide's fingerprint when the file changes).
            #expect([404, 500].contains(damaged.status), "a read from the cut file: \(damaged.status) \(damaged.text.prefix(200))")

            // The file is whole again: that tile and others are read and served.
            try original.write(to: slide)
            let readsBefore = viewer.statistics.slideReads
            let again = try await RawHTTP.get(port: port, "/slides/\(id)/slide_files/\(level)/4_5.jpeg")
            #expect(again.status == 200, "after the file came back: \(again.status) \(again.text.prefix(200))")
            #expect(again.body.prefix(2) == [0xFF, 0xD8])
            let other = try await RawHTTP.get(port: port, "/slides/\(id)/slide_files/\(level)/6_7.jpeg")
            #expect(other.status == 200)
            #expect(viewer.statistics.slideReads == readsBefore + 2)
        }
    }

    // MARK: Helpers

    static func maxLevel(_ dzi: String) -> Int? {
        guard let width = dzi.firstMatch(of: /Width="(\d+)"/).flatMap({ Int($0.1) }),
              let height = dzi.firstMatch(of: /Height="(\d+)"/).flatMap({ Int($0.1) }) else { return nil }
        return Int((log2(Double(max(width, height)))).rounded(.up))
    }

    /// "GET /aaaa… HTTP/1.1" with an 8 MB URL, or a request with one 16 MB header.
    static func oversizedRequest(_ part: String) -> [UInt8] {
        let filler = String(repeating: "a", count: part == "url" ? 8 << 20 : 16 << 20)
        return part == "url"
            ? Array("GET /\(filler) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            : Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: \(filler)\r\n\r\n".utf8)
    }

    struct Outcome: CustomStringConvertible {
        /// The status of the answer, when one came.
        var status: Int?
        /// Whether the server closed the connection (end of stream or reset) before the read timeout.
        var closed: Bool
        var bytesSent: Int
        var description: String { "status \(status.map(String.init) ?? "none"), closed \(closed), sent \(bytesSent) bytes" }
    }

    /// Sends `request` as a simple client does (all of it, then read), giving up on a send the server no longer
    /// reads after 10 s, then reads until the server closes or `readTimeout` seconds pass.
    static func sendThenRead(port: Int, request: [UInt8], readTimeout: Int = 15) throws -> Outcome {
        let socket = try RawHTTP.connect(port: port, timeout: 10)
        defer { close(socket) }
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes { send(socket, $0.baseAddress! + sent, min(1 << 20, request.count - sent), Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }
            sent += count
        }
        var limit = timeval(tv_sec: readTimeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var closed = false
        while received.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno == ECONNRESET) { closed = true; break }
            if count < 0 { break }
            received += buffer[0..<count]
        }
        let statusLine = String(decoding: received.prefix(40), as: UTF8.self)
        let status = statusLine.hasPrefix("HTTP/1.1 ") ? Int(statusLine.dropFirst(9).prefix(3)) : nil
        return Outcome(status: status, closed: closed, bytesSent: sent)
    }
}

/// A library leaves the process alone: running the viewer changes no signal disposition (SIGINT and SIGTERM belong to
/// whoever runs it; `tessera serve` hands them to a ServiceGroup).
extension ViewerHTTPTests {
    static func disposition(_ signal: Int32) -> UInt {
        var action = sigaction()
        sigaction(signal, nil, &action)
        return unsafeBitCast(action.__sigaction_handler.sa_handler, to: UInt.self)
    }

    /// Running a viewer leaves SIGINT's and SIGTERM's actions as they were (whatever the test runner set).
    @Test func runningTheViewerInstallsNoSignalHandlers() async throws {
        let fixture = try await FixtureRun.shared.get()
        let before = [SIGINT, SIGTERM].map(Self.disposition)
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory)) { _, port in
            let page = try await RawHTTP.get(port: port, "/")
            #expect(page.status == 200)
            #expect([SIGINT, SIGTERM].map(Self.disposition) == before, "the viewer changed SIGINT's or SIGTERM's action")
        }
        #expect([SIGINT, SIGTERM].map(Self.disposition) == before, "the viewer left SIGINT's or SIGTERM's action changed")
    }
}
