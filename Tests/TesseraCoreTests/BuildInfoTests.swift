import Foundation
import Testing
import TesseraCore
import TesseraTestSupport

/// scripts/generate-build-info, which the TesseraBuildInfo plugin runs at every build, run here on scratch git
/// repositories whose state each test sets, and read back as the Swift file it writes.
@Suite struct BuildInfoGeneratorTests {
    struct CommandFailed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var description: String { "\(command) exited \(status)" }
    }

    struct Generated: Equatable {
        var commit: String?
        var dirty: Bool
        var buildDate: String
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        for name in ["TESSERA_GIT_COMMIT", "SOURCE_DATE_EPOCH"] { merged[name] = nil }
        merged.merge(environment) { $1 }
        merged["GIT_AUTHOR_NAME"] = "t"; merged["GIT_AUTHOR_EMAIL"] = "t@localhost"
        merged["GIT_COMMITTER_NAME"] = "t"; merged["GIT_COMMITTER_EMAIL"] = "t@localhost"
        process.environment = merged
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(command: arguments.joined(separator: " "), status: process.terminationStatus)
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs the generator on `source` and parses the three constants back out of the Swift it wrote.
    static func generate(_ source: URL, into output: URL, environment: [String: String] = [:]) throws -> Generated {
        let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/generate-build-info").path
        try run(["sh", script, source.path, output.path], environment: environment)
        let text = try String(contentsOf: output, encoding: .utf8)
        func value(_ name: String) -> String? {
            text.split(separator: "\n").first { $0.contains("static let \(name)") }
                .map { String($0[$0.index(after: $0.firstIndex(of: "=")!)...]).trimmingCharacters(in: .whitespaces) }
        }
        let commit = value("commit").flatMap { $0 == "nil" ? nil : $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        return Generated(commit: commit, dirty: value("dirty") == "true",
                         buildDate: value("buildDate")?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) ?? "")
    }

    static func scratchRepository() throws -> URL {
        let directory = try Fixtures.temporaryDirectory("build-info")
        try run(["git", "init", "-q", directory.path])
        try "one\n".write(to: directory.appendingPathComponent("tracked.txt"), atomically: true, encoding: .utf8)
        try run(["git", "-C", directory.path, "add", "tracked.txt"])
        try run(["git", "-C", directory.path, "commit", "-q", "-m", "first"])
        return directory
    }

    @Test func recordsTheCommitAndWhetherTrackedFilesChanged() throws {
        let repository = try Self.scratchRepository()
        defer { try? FileManager.default.removeItem(at: repository) }
        let output = repository.appendingPathComponent("out/GeneratedBuildInfo.swift")
        let head = try Self.run(["git", "-C", repository.path, "rev-parse", "HEAD"])
        #expect(head.count == 40)

        var generated = try Self.generate(repository, into: output)
        #expect(generated.commit == head)
        #expect(!generated.dirty)

        // An untracked file (a build folder, a scratch file) does not make the tree dirty; an edited tracked file does.
        try "scratch\n".write(to: repository.appendingPathComponent("untracked.txt"), atomically: true, encoding: .utf8)
        #expect(try Self.generate(repository, into: output).dirty == false)
        try "two\n".write(to: repository.appendingPathComponent("tracked.txt"), atomically: true, encoding: .utf8)
        generated = try Self.generate(repository, into: output)
        #expect(generated.commit == head)
        #expect(generated.dirty)

        // A new commit is picked up by the next build.
        try Self.run(["git", "-C", repository.path, "commit", "-q", "-a", "-m", "second"])
        let second = try Self.run(["git", "-C", repository.path, "rev-parse", "HEAD"])
        #expect(second != head)
        #expect(try Self.generate(repository, into: output) == Generated(commit: second, dirty: false,
                                                                          buildDate: generated.buildDate))
    }

    @Test func outsideACheckoutTheCommitIsUnknownUnlessStated() throws {
        let directory = try Fixtures.temporaryDirectory("build-info-tarball")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("GeneratedBuildInfo.swift")
        #expect(try Self.generate(directory, into: output).commit == nil)
        let stated = try Self.generate(directory, into: output, environment: ["TESSERA_GIT_COMMIT": "0123abcd"])
        #expect(stated.commit == "0123abcd")
        #expect(!stated.dirty)
    }

    @Test func buildDateIsTodayOrSourceDateEpochsDay() throws {
        let directory = try Fixtures.temporaryDirectory("build-info-date")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("GeneratedBuildInfo.swift")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        let before = formatter.string(from: Date())
        let today = try Self.generate(directory, into: output).buildDate
        let after = formatter.string(from: Date())
        #expect(today == before || today == after)
        // 1700000000 s after the epoch is 2023-11-14 22:13:20 UTC.
        #expect(try Self.generate(directory, into: output, environment: ["SOURCE_DATE_EPOCH": "1700000000"]).buildDate
                == "2023-11-14")
    }

    @Test func anUnchangedStateDoesNotRewriteTheFile() throws {
        let repository = try Self.scratchRepository()
        defer { try? FileManager.default.removeItem(at: repository) }
        let output = repository.appendingPathComponent("out/GeneratedBuildInfo.swift")
        _ = try Self.generate(repository, into: output)
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: output.path)
        _ = try Self.generate(repository, into: output)
        let modified = try FileManager.default.attributesOfItem(atPath: output.path)[.modificationDate] as? Date
        #expect(modified == old, "rewriting an unchanged file would recompile TesseraCore at every build")
    }

    @Test func thisBuildRecordedItsCheckout() throws {
        // This test binary was built from the repository by the plugin: a 40-hex commit (with -dirty when tracked
        // files were edited) when it is a git checkout, and a YYYY-MM-DD build date.
        #expect(BuildInfo.buildDate.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil)
        let isCheckout = FileManager.default.fileExists(atPath: Fixtures.repositoryRoot.appendingPathComponent(".git").path)
        if isCheckout {
            let commit = try #require(BuildInfo.gitCommit)
            #expect(commit.wholeMatch(of: /[0-9a-f]{40}(-dirty)?/) != nil)
        }
        #expect(BuildInfo.versionText.hasPrefix(TesseraVersion.string + "\ncommit "))
    }
}
