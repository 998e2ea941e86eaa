import Foundation
import Testing
import TesseraTestSupport

/// A run killed with SIGKILL at any moment and started again ends with exactly the rows of an uninterrupted run.
///
/// `tessera-dev write-store` drives ResultsStore the way the runner does (skip done slides, resume an interrupted
/// slide from its committed tiles). The child prints a line after each committed step; the test kills it right after
/// reading the k-th line, while it is already writing the next batch, or after a fixed delay, then restarts it.
@Suite(.serialized) struct StoreCrashSafetyTests {
    /// 2,400 small batches: enough that even a fast, idle machine cannot finish before the last kill point.
    static let workload = ["--slides", "3", "--tiles", "4000", "--classes", "3", "--batch", "5"]

    /// Starts the writer, kills it once it has printed `lines` lines (or after `delay`), and waits for it to die.
    /// Returns whether the kill came before the child finished on its own.
    func killWriter(_ database: String, afterLines lines: Int?, orAfter delay: Double? = nil) throws -> Bool {
        let writer = try TesseraDevCLI.start(["write-store", database, "--progress"] + Self.workload)
        if let delay { Thread.sleep(forTimeInterval: delay) }
        if let lines {
            // Polled every millisecond; stops when the child finished before the kill point.
            while writer.isRunning, writer.stdoutSoFar.reduce(0, { $0 + ($1 == "\n" ? 1 : 0) }) < lines {
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
        let killed = writer.isRunning
        writer.signal(SIGKILL)
        _ = writer.wait()
        return killed && writer.process.terminationReason == .uncaughtSignal
    }

    /// Whether the file holds a finished run (false when it is missing or its schema was never committed).
    func runFinished(_ database: String) throws -> Bool {
        let output = try TesseraCLI.run(["query", database, "SELECT COUNT(*) AS n FROM runs WHERE status = 'finished'",
                                       "--format", "csv"])
        return output.status == 0 && output.stdout != "n\r\n0\r\n"
    }

    func finish(_ database: String) throws {
        let output = try TesseraDevCLI.run(["write-store", database] + Self.workload)
        #expect(output.status == 0, "\(output.stderr)")
    }

    /// Every row that depends on the data (not on times or ids), in a fixed order.
    func dump(_ database: String) throws -> [String] {
        [
            try TesseraCLI.csv(database, """
                SELECT s.fingerprint, t.tile_index, t.x, t.y, t.width, t.height, t.tissue_fraction
                FROM tiles t JOIN slide_runs sr ON sr.id = t.slide_run_id JOIN slides s ON s.id = sr.slide_id
                ORDER BY s.fingerprint, t.tile_index
                """),
            try TesseraCLI.csv(database, """
                SELECT s.fingerprint, p.tile_index, p.class_index, p.area_fraction, p.mean_probability
                FROM tile_predictions p JOIN slide_runs sr ON sr.id = p.slide_run_id JOIN slides s ON s.id = sr.slide_id
                ORDER BY s.fingerprint, p.tile_index, p.class_index
                """),
            try TesseraCLI.csv(database, """
                SELECT s.fingerprint, sr.status, sr.error, sr.tiles_planned, sr.tiles_written
                FROM slide_runs sr JOIN slides s ON s.id = sr.slide_id ORDER BY s.fingerprint
                """),
            try TesseraCLI.csv(database, "SELECT status, model_sha256, parameters_hash FROM runs"),
            try TesseraCLI.csv(database, "SELECT class_index, name, colour FROM classes ORDER BY class_index"),
            try TesseraCLI.csv(database, "SELECT slide_path, tiles, tissue_px FROM slide_areas ORDER BY slide_path"),
        ]
    }

    @Test func killedAtSeveralPointsAndRestartedEqualsAnUninterruptedRun() throws {
        let directory = try Fixtures.temporaryDirectory("crash")
        let reference = directory.appendingPathComponent("reference.sqlite").path
        try finish(reference)
        let expected = try dump(reference)
        // 3 slides x 4000 tiles x 3 classes, 5 tiles a batch: 2400 batches
        #expect(expected[0].split(separator: "\r\n").count == 1 + 12000)
        #expect(expected[1].split(separator: "\r\n").count == 1 + 36000)

        let crashed = directory.appendingPathComponent("crashed.sqlite").path
        var kills = 0
        // Kill right after start (schema creation), after 1, 5, 20, 60 and 150 further committed batches (each slide
        // is 800 batches), and after fixed delays, wherever the writer is then. Each restart resumes the run; once a
        // writer finishes before its kill point, the run is complete and the kills stop.
        let plans: [(lines: Int?, delay: Double?)] = [(0, nil), (nil, 0.05), (1, nil), (5, nil), (nil, 0.15), (20, nil),
                                                      (60, nil), (150, nil)]
        for plan in plans {
            if try killWriter(crashed, afterLines: plan.lines, orAfter: plan.delay) { kills += 1 }
            // A writer can finish just before the kill lands; starting it again then would begin a second run.
            if try runFinished(crashed) { break }
        }
        #expect(kills >= 5, "the writer finished before most kill points; make the workload larger")
        let partial = try TesseraCLI.csv(crashed, "SELECT COUNT(*) AS n FROM tiles")
        if kills == plans.count { #expect(partial != "n\r\n12000\r\n", "the kills left nothing to resume") }
        // Finish the interrupted run (a run that already finished would be started anew, as a second run).
        if !(try runFinished(crashed)) { try finish(crashed) }
        #expect(try dump(crashed) == expected)
        // One run, resumed on every restart that found it unfinished.
        let attempts = try TesseraCLI.csv(crashed, "SELECT COUNT(DISTINCT run_id) AS runs, COUNT(*) > 1 AS resumed FROM run_attempts")
        #expect(attempts == "runs,resumed\r\n1,1\r\n")
        // Starting the finished run again writes nothing new.
        try finish(crashed)
        #expect(try dump(crashed)[0...2] == expected[0...2])
    }
}
